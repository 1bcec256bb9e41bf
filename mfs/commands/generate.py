"""`mfs generate`: synthetic raw data with a planted truth."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mfs import clock, paths
from mfs.commands.output import console, emit_json, fail
from mfs.synthetic.generate import GenerateOptions, generate


def generate_command(
    customers: int = typer.Option(1000, "--customers", "-n", help="Number of CRM contacts."),
    days: int = typer.Option(365, "--days", help="Days of history, ending at --end."),
    seed: int = typer.Option(42, "--seed", help="Random seed; same seed and --end = same bytes."),
    end: str = typer.Option(
        None, "--end", help="Exclusive end date (YYYY-MM-DD, UTC): data runs to the midnight "
        "that starts it, never later than now. Default: today."
    ),
    out: Path = typer.Option(None, "--out", help="Output directory. Default: $MFS_RAW_DIR "
                             "or data/raw."),
    truth_out: Path = typer.Option(None, "--truth-out", help="Truth directory. Default: "
                                   "data/truth (beside --out)."),
    dirty: bool = typer.Option(False, "--dirty", help="Plant documented defects with known "
                               "counts (_dirty_counts.json)."),
    fmt: str = typer.Option("parquet", "--format", help="parquet or csv."),
    profile: str = typer.Option("full", "--profile", help="full (every contract table, the "
                                "planted truth of both models) or transactions (a B2C shop's "
                                "export: contacts and orders only, customers acquired in bursts)."),
    treatment_export: Path = typer.Option(
        None, "--treatment-export", help="An export folder (data/exports/<audience>/<id>/): "
        "its treatment group orders more in the 30 days after it (see --uplift); the truth "
        "goes to truth/treatment_effect.json."),
    uplift: float = typer.Option(0.0, "--uplift", help="With --treatment-export: the true "
                                 "relative uplift of the treated conversion rate (0.5 = +50%)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Generate CRM, web-analytics and ad-platform exports with a known ground truth.

    Examples:

      mfs generate --customers 1000 --days 365

      mfs generate -n 100000 --seed 7 --end 2026-06-30 --out /tmp/raw

      mfs generate -n 5000 --dirty --json

      mfs generate -n 20000 --days 1095 --profile transactions

      mfs generate --end 2026-08-15 --uplift 0.3 --treatment-export EXPORT_FOLDER
    """
    try:
        end_date = date.fromisoformat(end) if end else clock.today()
    except ValueError:
        fail(f"--end must be a date like 2026-06-30, got {end!r}")
    out_dir = out or paths.raw_dir()
    truth_dir = truth_out or (out_dir.parent / "truth" if out else paths.truth_dir())
    opts = GenerateOptions(out=out_dir, customers=customers, days=days, seed=seed,
                           end=end_date, dirty=dirty, format=fmt, truth_out=truth_dir,
                           treatment_export=treatment_export, uplift=uplift, profile=profile)
    try:
        with Progress(TextColumn("[bold]generating"), BarColumn(), TextColumn("{task.completed}/"
                      "{task.total} chunks"), TimeElapsedColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task("generate", total=None)
            summary = generate(opts, lambda done, total: bar.update(task, completed=done,
                                                                    total=total))
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        emit_json(asdict(summary))
        return
    table = Table(title=f"Generated in {summary.seconds:.1f}s -> {summary.out}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"truth (evaluation only): {summary.truth}")
    if summary.defects:
        console.print(f"planted {len(summary.defects)} defect classes, counts in "
                      f"{Path(summary.out) / '_dirty_counts.json'}")
