"""`mfs monitor drift|performance|uplift`: has the world moved, do the models still rank well,
and do the audiences they pick convert better than their holdout?"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from mfs.commands.output import console, emit_json, fail

monitor_app = typer.Typer(help="Watch the production models: data drift, realised "
                          "performance, uplift against the holdout.",
                          no_args_is_help=True)
DRIFT_EXIT_CODE = 3  # distinct from 1 (an error): a scheduler can tell "alert" from "failed"


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
            table.add_row(f.feature, f.status, f.psi_text,
                          f"{f.missing_rate_reference:.1%} -> {f.missing_rate_current:.1%}",
                          ", ".join(f.new_categories[:3]) or "-")
        console.print(table)
        verdict = (f"[bold red]drift alert[/] on {', '.join(report.alerts)}" if report.drifted
                   else "[bold green]no drift alert[/]")
        console.print(f"{verdict}; report: {run.files['html']}")
    if report.drifted:
        raise SystemExit(DRIFT_EXIT_CODE)


@monitor_app.command("performance")
def performance_command(
    model: str = typer.Argument(..., help="purchase-propensity or lead-scoring."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Join every past scoring (data/scores/history/) with its outcomes once the label window
    has closed: realised ROC-AUC, PR-AUC, top-decile lift and calibration error per scoring,
    against the model card's test figures. Alerts when the AUC drops by more than 0.05 and two
    standard errors. Writes data/monitoring/<model>/performance-<time>/. Exits 3 on an alert.

    Backfill past scorings with `mfs score MODEL --as-of YYYY-MM-DD`.

    Example:

      mfs monitor performance purchase-propensity
    """
    from datetime import UTC, datetime

    from monitoring.monitor import monitoring_dir
    from monitoring.performance import performance_report, write_performance
    from training.config import canonical_name
    from training.registry import RegistryError

    try:
        report = performance_report(model)
    except (RegistryError, FileNotFoundError) as exc:
        fail(str(exc))
    folder = (monitoring_dir() / canonical_name(model)
              / f"performance-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
    files = write_performance(report, folder)
    if as_json:
        emit_json({**report.as_dict(), "files": {k: str(v) for k, v in files.items()}})
    else:
        table = Table(title=f"{report.model}: realised performance by scoring")
        for column in ("as of", "version", "labelled", "pending", "AUC", "card AUC",
                       "lift@10%", "ECE", "status"):
            table.add_column(column)
        for p in report.periods:
            table.add_row(p.features_as_of[:10], f"v{p.model_version}", f"{p.labelled:,}",
                          f"{p.pending:,}", "-" if p.roc_auc is None else f"{p.roc_auc:.3f}",
                          f"{p.card_roc_auc:.3f}",
                          "-" if p.top_decile_lift is None else f"{p.top_decile_lift:.2f}",
                          "-" if p.ece is None else f"{p.ece:.3f}", p.status)
        _show(table, None if report.periods else
              "no scorings recorded yet: run `mfs score` (or backfill with --as-of)", files["md"])
    if report.alerts:
        raise SystemExit(DRIFT_EXIT_CODE)


@monitor_app.command("uplift")
def uplift_command(
    audience: str = typer.Argument(None, help="One audience (default: every audience)."),
    alpha: float = typer.Option(0.05, "--alpha", min=0.001, max=0.5,
                                help="Significance level of the test and 1 - the interval's "
                                "coverage."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """For every past export with a holdout: conversion of the treated vs the control group in
    the model's label window after the export, the relative uplift
    (CR_treated - CR_control) / CR_control with its confidence interval, and a significance
    test. Exports whose window has not closed in the data are listed as window_open. Flags
    (exit 3) an export whose audience converts no better than its control group.
    Writes data/monitoring/uplift-<time>/ (uplift.json, uplift.md).

    Examples:

      mfs monitor uplift

      mfs monitor uplift high_propensity_buyers --json
    """
    from datetime import UTC, datetime

    from audiences.export import exports_dir
    from monitoring.monitor import monitoring_dir
    from monitoring.uplift import interval, p_value, percent, uplift_report, write_uplift

    try:
        report = uplift_report(exports_dir(), audience, alpha)
    except FileNotFoundError as exc:
        fail(str(exc))
    files = write_uplift(report, monitoring_dir() / f"uplift-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
    if as_json:
        emit_json({**report.as_dict(), "files": {k: str(v) for k, v in files.items()}})
    else:
        table = Table(title=f"uplift against the holdout ({100 * (1 - alpha):.0f}% intervals)")
        for column in ("audience", "export", "treated", "control", "uplift", "interval", "p",
                       "verdict"):
            table.add_column(column)
        for e in report.exports:
            c = e.comparison
            table.add_row(e.audience, e.export_id[:15], f"{c.treated_conversions:,}/{c.treated:,}",
                          f"{c.control_conversions:,}/{c.control:,}",
                          percent(c.relative_uplift), interval(c.ci_low, c.ci_high),
                          p_value(c.p_value), c.verdict)
        _show(table, None if report.exports else "no exports yet: run `mfs export AUDIENCE`",
              files["md"])
    if report.flagged:
        raise SystemExit(DRIFT_EXIT_CODE)


def _show(table: Table, empty: str | None, report_file: Path) -> None:
    console.print(table)
    if empty:
        console.print(empty)
    console.print(f"report: {report_file}")


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
