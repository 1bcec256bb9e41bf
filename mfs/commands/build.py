"""`mfs build`: dbt build on DuckDB with progress, a summary, and the feature exports."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
import yaml
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from mfs import paths
from mfs.build.build import FRESHNESS_MODES, BuildSummary, build
from mfs.build.dbt_vars import dbt_var_names
from mfs.commands.output import console, emit_json, fail
from mfs.contract.files import RawLayoutError


def print_summary(summary: BuildSummary) -> None:
    table = Table(title=f"dbt build of {summary.raw_dir} in {summary.seconds:.1f}s")
    table.add_column("what")
    table.add_column("result", overflow="fold")
    table.add_row("models", ", ".join(f"{k}={v}" for k, v in summary.models.items()) or "-")
    table.add_row("tests", ", ".join(f"{k}={v}" for k, v in summary.tests.items()) or "-")
    if summary.freshness:
        table.add_row("freshness", ", ".join(f"{f['source']}={f['status']}"
                                             for f in summary.freshness))
    if summary.rebuilt_for:
        table.add_row("rebuilt every row", "definitions changed since the last build: "
                      + ", ".join(summary.rebuilt_for))
    if summary.absent_optional_sources:
        table.add_row("absent (optional)", ", ".join(summary.absent_optional_sources))
    for source_table, reasons in summary.rejected_rows.items():
        table.add_row(f"quarantined: {source_table}",
                      ", ".join(f"{reason}={n:,}" for reason, n in reasons.items()))
    for f in summary.exported:
        table.add_row(f"exported {f.mart}", f"{f.rows:,} rows -> {f.path} ({f.files_written} "
                      f"snapshot files written, {f.files_kept} unchanged, {f.seconds:.1f} s)")
    console.print(table)
    for item in summary.failing:
        console.print(f"  [red]x {item.get('kind')} {item['name']}[/]: {item.get('message')}")
    if not summary.success:
        for line in summary.errors[-5:]:
            console.print(f"  [red]{line}[/]")
        console.print(f"[bold red]build failed at {summary.stage_failed}[/]; nothing exported")
    else:
        console.print("[bold green]build succeeded[/]")


def parse_vars(text: str) -> dict[str, object]:
    """--vars as a mapping of vars dbt_project.yml declares (a typo would be silently unused)."""
    try:
        given = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        fail(f"--vars {text!r}: not YAML ({exc})")
    if not isinstance(given, dict):
        fail(f"--vars {text!r}: expected a mapping such as '{{purchase_label_days: 60}}'")
    known = dbt_var_names()
    unknown = sorted(set(given) - set(known))
    if unknown:
        fail(f"--vars: unknown var(s) {unknown}; dbt_project.yml declares {sorted(known)}")
    return given


def build_command(
    raw: Path = typer.Option(None, "--raw", help="Raw directory. Default: $MFS_RAW_DIR or "
                             "data/raw."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild incremental "
                                      "models from scratch."),
    freshness: str = typer.Option("error", "--freshness", help="Source freshness: error (stop "
                                  "when stale), warn, or skip."),
    snapshot_end: str = typer.Option(None, "--snapshot-end", help="Latest snapshot date "
                                     "(YYYY-MM-DD); default: the day after the newest data."),
    dbt_vars_text: str = typer.Option(None, "--vars", help="dbt vars as a YAML mapping, over "
                                      "dbt_project.yml's: e.g. '{purchase_label_days: 60, "
                                      "snapshot_cadence: daily}'."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Build features with dbt on DuckDB; export the marts to parquet only when every test passes.

    Exits 1 when a model or an error-severity test fails (and names it), or when a source is
    stale with --freshness error. Writes data/warehouse.duckdb and data/features/*.parquet.

    Examples:

      mfs build

      mfs build --raw ~/exports/2026-11 --freshness warn --json

      mfs build --full-refresh

      mfs build --vars '{purchase_label_days: 60}'

    A change of a definition var (the snapshot grid, the session timeout, a label horizon) since
    the warehouse was built rebuilds every row, and the summary says so.
    """
    if freshness not in FRESHNESS_MODES:
        fail(f"--freshness must be one of {FRESHNESS_MODES}, got {freshness!r}")
    dbt_vars = parse_vars(dbt_vars_text) if dbt_vars_text else {}
    if snapshot_end:
        dbt_vars["snapshot_end"] = snapshot_end
    try:
        with Progress(SpinnerColumn(), TextColumn("[bold]dbt build[/] {task.completed} nodes "
                      "done, last: {task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            task = bar.add_task("starting", total=None)
            summary = build(
                raw or paths.raw_dir(), paths.warehouse_path(), paths.features_dir(),
                full_refresh=full_refresh, freshness=freshness, dbt_vars=dbt_vars or None,
                on_node=lambda name, status: bar.update(task, advance=1,
                                                        description=f"{name} ({status})"),
            )
    except RawLayoutError as exc:
        fail(str(exc), code=2)
    if as_json:
        emit_json(asdict(summary))
    else:
        print_summary(summary)
    if not summary.success:
        raise SystemExit(1)
