"""`mfs run` (the whole pipeline behind the quality gate) and `mfs status` (one screen of
health)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from mfs.commands.output import console, emit_json

STATUS_STYLE = {"ok": "green", "warn": "yellow", "failed": "bold red", "skipped": "dim"}


def print_health(report: dict[str, Any]) -> None:
    quality = report["data_quality"]
    tests = quality.get("tests", {})
    line = (f"[bold]data quality[/]  latest build {quality['status']}"
            + (f" at {quality['finished_at']}" if quality.get("finished_at") else ""))
    if tests:
        line += ": " + ", ".join(f"{n} {k}" for k, n in sorted(tests.items()))
    if quality.get("rejected_rows"):
        line += f"; {quality['rejected_rows']:,} raw rows quarantined"
    if quality.get("failing"):
        line += f"; failing: {', '.join(quality['failing'][:5])}"
    console.print(line, highlight=False)
    table = Table("model", "production", "test AUC", "drift", "trained at", box=None)
    for model, m in report["models"].items():
        drift = report["drift"].get(model)
        drift_text = ("-" if drift is None else
                      f"[red]alert: {', '.join(drift['alerts'][:4])}[/]" if drift["drifted"]
                      else f"stable (v{drift['version']})")
        table.add_row(model, f"v{m['production']}" if m["production"] else "none",
                      f"{m['test_roc_auc']:.3f}" if m["test_roc_auc"] else "-", drift_text,
                      (m["trained_at"] or "-")[:19])
    console.print(table)
    for audience, e in report["exports"].items():
        console.print(f"[bold]export[/]  {audience}: {e['exported']:,} exported, "
                      f"{e['holdout']:,} held out, {e['created_at'][:19]} ({e['export_id']})"
                      + _uplift_text(report["uplift"].get(audience)), highlight=False)
    if not report["exports"]:
        console.print("[bold]export[/]  none yet")


def _uplift_text(uplift: dict[str, Any] | None) -> str:
    """`; uplift +12.0% [+3.1%, +21.9%] (export ...)`, red when flagged; empty before any."""
    if uplift is None:
        return ""
    from monitoring.uplift import interval, percent

    text = (f"uplift {percent(uplift['relative_uplift'])} "
            f"{interval(uplift['ci_low'], uplift['ci_high'])} {uplift['verdict']} "
            f"(export {uplift['export_id']})")
    return f"; [red]{text}[/]" if uplift["flagged"] else f"; {text}"


def run_command(
    raw: Path = typer.Option(None, "--raw", help="Raw files (default: data/raw or MFS_RAW_DIR)."),
    freshness: str = typer.Option("error", "--freshness", help="error, warn or skip."),
    train: bool = typer.Option(False, "--train/--no-train",
                               help="Also train both models (the promotion gate decides)."),
    as_json: bool = typer.Option(False, "--json", help="Print the steps and health as JSON."),
) -> None:
    """Run the pipeline: build -> publish -> (train) -> score -> export every audience.

    The build is the quality gate: when an error-severity dbt test or a source freshness check
    fails, the run stops, names what failed and exits 1; the previously published features,
    models, scores and exports stay as they were. Warnings are reported, not fatal. Ends with
    the health summary of `mfs status`.

    Example:

      mfs run --raw exports/2026-11-23
    """
    from mfs.health import health
    from mfs.pipeline import run_pipeline

    def show(step: Any) -> None:
        if not as_json:
            style = STATUS_STYLE[step.status]
            console.print(f"[{style}]{step.status:>7}[/]  {step.name}: {step.detail}"
                          + (f" ({step.seconds}s)" if step.seconds else ""), highlight=False)

    summary = run_pipeline(raw, freshness=freshness, train=train, on_step=show)
    report = health()
    if as_json:
        emit_json({**summary.as_dict(), "health": report})
    else:
        print_health(report)
    if not summary.ok:
        raise SystemExit(1)


def status_command(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Health on one screen: the latest build's data quality, production models and their
    latest drift report, the latest export of each audience. Reads records only."""
    from mfs.health import health

    report = health()
    if as_json:
        emit_json(report)
    else:
        print_health(report)
