"""`mfs demo`: the whole pipeline end to end on generated data, with a short summary."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import typer

from mfs import paths
from mfs.commands.output import console
from mfs.contract.validate import validate_directory
from mfs.synthetic.generate import GenerateOptions, generate


def demo_command(
    customers: int = typer.Option(2000, "--customers", "-n", help="Contacts to generate."),
    seed: int = typer.Option(42, "--seed", help="Random seed."),
) -> None:
    """Generate data, validate it and run every stage that exists, then summarise.

    Example:

      mfs demo --customers 2000
    """
    started = time.perf_counter()
    summary = generate(GenerateOptions(out=paths.raw_dir(), customers=customers, seed=seed,
                                       end=datetime.now(UTC).date(), truth_out=paths.truth_dir()))
    console.print(f"[bold]1. generate[/]  {sum(summary.rows.values()):,} raw rows in "
                  f"{summary.seconds:.1f}s -> {summary.out}")
    report = validate_directory(paths.raw_dir())
    checked = [t for t in report.tables if t.status == "checked"]
    console.print(f"[bold]2. validate[/]  {len(checked)} tables, "
                  f"{sum(t.rows for t in checked):,} rows, "
                  f"{'contract satisfied' if report.ok else 'VIOLATIONS'}")
    console.print(f"[bold green]demo finished[/] in {time.perf_counter() - started:.1f}s")
    if not report.ok:
        raise SystemExit(1)
