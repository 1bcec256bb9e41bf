"""`mfs monitor drift MODEL`: has the production model's world moved since its test window?"""

from __future__ import annotations

import typer
from rich.table import Table

from mfs.commands.output import console, emit_json, fail

monitor_app = typer.Typer(help="Watch the production models: data drift.", no_args_is_help=True)
DRIFT_EXIT_CODE = 3  # distinct from 1 (an error): a scheduler can tell "drifted" from "failed"


@monitor_app.command("drift")
def drift_command(
    model: str = typer.Argument(..., help="purchase-propensity or lead-scoring."),
    version: int = typer.Option(None, "--version", "-v",
                                help="A registered version instead of production."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Compare the current feature snapshot and score distribution with the model's test
    window: PSI per feature and for the score, missing-value rates, new categories.

    Thresholds come from monitoring/thresholds.yaml. Writes
    data/monitoring/<model>/drift-<time>/ (drift.json, drift.md, drift.html with plots).
    Exits 3 when a threshold is crossed, 1 on an error, 0 otherwise.

    Example:

      mfs monitor drift purchase-propensity
    """
    from feast.errors import FeastObjectNotFoundException

    from monitoring.monitor import monitor_drift
    from serving.online import NotPublishedError
    from training.registry import RegistryError

    try:
        run = monitor_drift(model, version=version)
    except (RegistryError, NotPublishedError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    except FeastObjectNotFoundException as exc:
        fail(f"{exc}: run `mfs publish` after a green `mfs build`")
    report = run.report
    if as_json:
        emit_json({**report.as_dict(), "files": {k: str(v) for k, v in run.files.items()}})
    else:
        table = Table(title=f"{report.model} v{report.version}: drift as of "
                      f"{report.features_as_of[:10]} ({report.current_rows:,} current vs "
                      f"{report.reference_rows:,} reference rows)")
        for column in ("feature", "status", "PSI", "missing ref -> now", "new categories"):
            table.add_column(column)
        for f in [report.score, *report.features[:15]]:
            table.add_row(f.feature, f.status, f"{f.psi:.4f}",
                          f"{f.missing_rate_reference:.1%} -> {f.missing_rate_current:.1%}",
                          ", ".join(f.new_categories[:3]) or "-")
        console.print(table)
        verdict = (f"[bold red]drift alert[/] on {', '.join(report.alerts)}" if report.drifted
                   else "[bold green]no drift alert[/]")
        console.print(f"{verdict}; report: {run.files['html']}")
    if report.drifted:
        raise SystemExit(DRIFT_EXIT_CODE)


def retrain_command(
    model: str = typer.Argument(..., help="purchase-propensity or lead-scoring."),
    force: bool = typer.Option(False, "--force", help="Retrain whatever the drift report says."),
    as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
) -> None:
    """Retrain MODEL if its production version's data drifted (see `mfs monitor drift`), or
    with --force; the promotion gate then promotes the new version or keeps the current one.
    Every decision, including "no retrain needed", is recorded in the registry's history.

    Example:

      mfs retrain purchase-propensity
    """
    from monitoring.retrain import retrain
    from serving.online import NotPublishedError
    from training.registry import RegistryError

    try:
        decision = retrain(model, force=force)
    except (RegistryError, NotPublishedError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    result = decision.result
    if as_json:
        emit_json({"model": decision.model, "retrained": result is not None,
                   "trigger": decision.trigger,
                   "drift_alerts": decision.drift.report.alerts if decision.drift else None,
                   "version": result.version if result else None,
                   "promoted": result.promoted if result else False,
                   "gate": result.gate.as_dict() if result else None})
        return
    if result is None:
        console.print(f"{decision.model}: no drift alert, no retrain (recorded in the registry)")
        return
    verdict = "promoted to production" if result.promoted else "gate refused; production kept"
    console.print(f"{decision.model}: retrained ({decision.trigger}) -> v{result.version}, "
                  f"{verdict}")
    for reason in result.gate.reasons:
        console.print(f"  gate: {reason}", highlight=False)
