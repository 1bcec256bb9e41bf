"""Find the raw files of each contract table in a directory (parquet by default, CSV accepted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mfs.contract.reader import CsvDialect, CsvReadError, load_dialects
from mfs.contract.schema import TABLES

FORMATS = ("parquet", "csv")


class RawLayoutError(ValueError):
    """The raw directory cannot be read as a set of contract tables."""


@dataclass(frozen=True)
class RawFile:
    table: str
    path: Path
    format: str  # "parquet" | "csv"
    dialect: CsvDialect = field(default_factory=CsvDialect)  # how a CSV is read


@dataclass(frozen=True)
class RawLayout:
    """Which contract tables a raw directory holds, and what else lies there."""

    directory: Path
    files: dict[str, RawFile]
    missing_required: tuple[str, ...]
    missing_optional: tuple[str, ...]
    ignored: tuple[str, ...]


def discover(directory: Path) -> RawLayout:
    """Map a raw directory onto the contract: `<table>.parquet` or `<table>.csv` per table, each
    CSV with its dialect (`_csv.yml`, mfs/contract/reader.py)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RawLayoutError(f"raw directory {directory} does not exist or is not a directory")
    try:
        dialects = load_dialects(directory, [t.name for t in TABLES])
    except CsvReadError as exc:
        raise RawLayoutError(str(exc)) from exc
    files: dict[str, RawFile] = {}
    known: set[str] = set()
    for table in TABLES:
        found = [
            RawFile(table.name, directory / f"{table.name}.{fmt}", fmt,
                    dialects.get(table.name, CsvDialect()))
            for fmt in FORMATS
            if (directory / f"{table.name}.{fmt}").is_file()
        ]
        if len(found) > 1:
            raise RawLayoutError(
                f"{directory}: both {table.name}.parquet and {table.name}.csv exist; "
                "keep exactly one file per table"
            )
        if found:
            files[table.name] = found[0]
            known.add(found[0].path.name)
    ignored = tuple(
        sorted(
            p.name
            for p in directory.iterdir()
            if p.is_file() and p.name not in known and not p.name.startswith(("_", "."))
        )
    )
    missing_required = tuple(t.name for t in TABLES if t.required and t.name not in files)
    missing_optional = tuple(t.name for t in TABLES if not t.required and t.name not in files)
    return RawLayout(directory, files, missing_required, missing_optional, ignored)
