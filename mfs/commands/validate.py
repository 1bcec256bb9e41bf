"""`mfs validate`: check raw files against the data contract."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from mfs import paths
from mfs.commands.output import console, emit_json, fail
from mfs.contract.files import RawLayoutError
from mfs.contract.validate import validate_directory


def validate_command(
    raw: Path = typer.Argument(None, help="Directory of raw files. Default: $MFS_RAW_DIR or "
                               "data/raw."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
) -> None:
    """Check every raw table against the contract; exit 1 on any violation.

    Reports, per table, rows read, rows valid and each violation class with its count and a few
    example row numbers (1-based data rows). Optional tables that are absent are listed as such.
    CSV files are read as RFC 4180 UTF-8 unless DIR/_csv.yml declares another delimiter, quote,
    encoding or no header for their table (docs/data-contract.md, "CSV files"). Exit 1 on any
    violation, 2 when DIR or its _csv.yml cannot be read.

    Examples:

      mfs validate data/raw

      mfs validate ~/exports/2026-11 --json | jq '.tables[] | select(.violations != [])'
    """
    directory = raw or paths.raw_dir()
    try:
        report = validate_directory(directory)
    except RawLayoutError as exc:
        fail(str(exc), code=2)
    if as_json:
        emit_json(asdict(report))
    else:
        table = Table(title=f"Contract check of {report.directory}")
        for col, just in (("table", "left"), ("file", "left"), ("rows", "right"),
                          ("valid", "right"), ("violations", "left")):
            table.add_column(col, justify=just)  # type: ignore[arg-type]
        for t in report.tables:
            if t.status == "absent_optional":
                table.add_row(t.table, "[dim]absent (optional)[/]", "", "", "")
                continue
            if t.status == "absent_required":
                table.add_row(t.table, "[red]absent (required)[/]", "", "", "missing_table")
                continue
            found = ", ".join(f"{v.kind}:{v.column or ''}={v.count}" for v in t.violations)
            table.add_row(t.table, Path(t.file or "").name, f"{t.rows:,}", f"{t.valid_rows:,}",
                          f"[red]{found}[/]" if found else "[green]ok[/]")
        console.print(table)
        for v in report.violations:
            console.print(f"  [red]x[/] {v.message}")
        for t in report.tables:
            if t.absent_columns:
                console.print(f"  [dim]absent[/] {t.table}: {', '.join(t.absent_columns)}",
                              highlight=False)
        for name in report.ignored_files:
            console.print(f"  [yellow]ignored[/] {name}: not a contract table")
        console.print("[green]contract satisfied[/]" if report.ok
                      else f"[red]{len(report.violations)} violation class(es)[/]")
    if not report.ok:
        raise SystemExit(1)
