"""`mfs demo`: the whole pipeline end to end on generated data, with a short summary."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import typer

from mfs import paths
from mfs.build.build import build
from mfs.commands.build import print_summary
from mfs.commands.output import console
from mfs.contract.validate import validate_directory
from mfs.synthetic.generate import GenerateOptions, generate


def demo_command(
    customers: int = typer.Option(2000, "--customers", "-n", help="Contacts to generate."),
    seed: int = typer.Option(42, "--seed", help="Random seed."),
) -> None:
    """Generate data, validate it and run every stage that exists, then summarise.

    Stages so far: generate -> validate -> build (dbt on DuckDB, feature exports).

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
    if not report.ok:
        raise SystemExit(1)
    with console.status("[bold]3. build[/]  dbt build on DuckDB..."):
        built = build(paths.raw_dir(), paths.warehouse_path(), paths.features_dir())
    print_summary(built)
    if not built.success:
        raise SystemExit(1)
    console.print(f"[bold]3. build[/]  {built.models.get('success', 0)} models, "
                  f"{built.tests.get('pass', 0)} tests passed in {built.seconds:.1f}s; features in "
                  f"{paths.features_dir()}")
    console.print(f"[bold green]demo finished[/] in {time.perf_counter() - started:.1f}s. "
                  "Next stages (publish, train, score, export) arrive with their issues.")
