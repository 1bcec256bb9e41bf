"""How a raw CSV file is read: one explicit dialect per table, the same for `mfs validate` and
the build.

DuckDB's CSV sniffer guesses a delimiter, a quote and a header row from a sample; two readers
that guess separately can see different columns in the same file (a semicolon export was one
column to the validator and twelve to the build). So nothing is guessed: every CSV is read with
the dialect below, RFC 4180 by default, or as `<raw dir>/_csv.yml` says for its table:

    crm_contacts:          # Excel in a European locale
      delimiter: ";"
      encoding: latin-1

The dbt macro `register_raw_sources` builds its views from the same file with the same options
(tests/contract/test_csv_dialects.py compares the two readers' SQL). UTF-8 with a byte order
mark and CRLF line ends need no setting. A file that does not read under its dialect is an
error naming the file, the line and what was expected, with the setting that would fix it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DIALECTS_FILE = "_csv.yml"
# DuckDB reads these without an extension (others would need one downloaded at run time).
ENCODINGS = ("utf-8", "utf-16", "latin-1")
# A header wider than this is not one of ours; the header query declares this many fields.
MAX_FIELDS = 256
# Delimiters a mis-set dialect is checked against, to name the one a file seems to use.
COMMON_DELIMITERS = (",", ";", "\t", "|")


class CsvReadError(ValueError):
    """A CSV file (or its dialect setting) cannot be read; the message says where and how."""


class CsvDialect(BaseModel):
    """How one table's CSV file is written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    delimiter: str = Field(",", min_length=1, max_length=1)
    quote: str = Field('"', min_length=1, max_length=1)
    escape: str | None = Field(None, min_length=1, max_length=1)  # default: the quote doubled
    encoding: Literal["utf-8", "utf-16", "latin-1"] = "utf-8"
    header: bool = True  # false: no header row, columns in the contract's order

    def options_sql(self) -> str:
        """read_csv's options for this dialect (the dbt macro writes the same string)."""
        return (f"delim = {_lit(self.delimiter)}, quote = {_lit(self.quote)}, "
                f"escape = {_lit(self.escape or self.quote)}, encoding = {_lit(self.encoding)}, "
                "auto_detect = false, skip = 0")

    def describe(self) -> str:
        return (f"delimiter {self.delimiter!r}, quote {self.quote!r}, encoding {self.encoding}, "
                f"{'a' if self.header else 'no'} header row")


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_dialects(directory: Path, tables: Sequence[str]) -> dict[str, CsvDialect]:
    """The dialect of every table named in `directory/_csv.yml` (others use the default)."""
    path = Path(directory) / DIALECTS_FILE
    if not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise CsvReadError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise CsvReadError(f"{path}: expected a mapping of table name to CSV settings, e.g. "
                           "'crm_contacts: {delimiter: \";\"}'")
    dialects: dict[str, CsvDialect] = {}
    for table, settings in raw.items():
        if table not in tables:
            raise CsvReadError(f"{path}: {table!r} is not a raw table; expected one of "
                               f"{sorted(tables)}")
        try:
            dialects[table] = CsvDialect.model_validate(settings or {})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or table}: {e['msg']}"
                                 for e in exc.errors())
            raise CsvReadError(f"{path}: {table}: {problems} (settings: delimiter, quote, "
                               f"escape, encoding {list(ENCODINGS)}, header)") from exc
    return dialects


def header_sql(path: Path, dialect: CsvDialect) -> str:
    """The first record of the file, split by the dialect: one row of up to MAX_FIELDS fields
    (the unused ones null). Not parallel: DuckDB's parallel scanner cannot pad rows that hold
    quoted line breaks."""
    fields = ", ".join(f"'f{i}': 'VARCHAR'" for i in range(MAX_FIELDS))
    return (f"select * replace (ltrim(f0, chr(65279)) as f0) from read_csv({_lit(str(path))}, "
            f"{dialect.options_sql()}, header = false, columns = {{{fields}}}, "
            "null_padding = true, strict_mode = false, parallel = false) limit 1")


def reader_sql(path: Path, dialect: CsvDialect, columns: Sequence[str]) -> str:
    """read_csv over the file with these column names, every value as text (staging parses):
    strict, so a row with too few or too many fields is an error, never silently padded."""
    declared = ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in columns)
    return (f"read_csv({_lit(str(path))}, {dialect.options_sql()}, "
            f"header = {'true' if dialect.header else 'false'}, columns = {{{declared}}}, "
            "strict_mode = true)")


def csv_columns(con: duckdb.DuckDBPyConnection, path: Path, dialect: CsvDialect,
                contract_columns: Sequence[str], table: str) -> list[str]:
    """The column names of a CSV file under its dialect (the contract's, without a header)."""
    if not dialect.header:
        return list(contract_columns)
    try:
        row = con.execute(header_sql(path, dialect)).fetchone()
    except duckdb.Error as exc:
        raise CsvReadError(explain(exc, path, dialect, table)) from exc
    if row is None:
        raise CsvReadError(f"{path}: the file is empty; expected a header row "
                           f"({dialect.describe()})")
    names = [name for name in row if name is not None]
    if len(names) == MAX_FIELDS:
        raise CsvReadError(f"{path}: line 1 has {MAX_FIELDS} or more fields; expected a header "
                           f"of the contract's {len(contract_columns)} columns")
    hint = _delimiter_hint(names, dialect, contract_columns, table, path)
    if hint:
        raise CsvReadError(hint)
    return names


def _delimiter_hint(names: list[str], dialect: CsvDialect, contract_columns: Sequence[str],
                    table: str, path: Path) -> str | None:
    """A header that splits into the contract's columns only on another delimiter."""
    if set(names) & set(contract_columns):
        return None
    line = dialect.delimiter.join(names)
    for other in COMMON_DELIMITERS:
        if other == dialect.delimiter:
            continue
        split = [n.strip().strip(dialect.quote) for n in line.split(other)]
        if len(set(split) & set(contract_columns)) >= 2:
            return (f"{path}: line 1 (the header) has {len(names)} field(s) separated by "
                    f"{dialect.delimiter!r}, but {len(split)} separated by {other!r}: the file "
                    f"looks {other!r}-delimited: add `{table}: {{delimiter: {json.dumps(other)}}}` "
                    f"to {path.parent / DIALECTS_FILE}")
    return None


_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def explain(exc: duckdb.Error, path: Path, dialect: CsvDialect, table: str) -> str:
    """DuckDB's CSV error as one line: the file, the line, what was expected, and the fix."""
    text = str(exc)
    line = _LINE.search(text)
    where = f"{path}: line {line.group(1)}" if line else str(path)
    fields = _FIELDS.search(text)
    if fields:
        return (f"{where} has {fields.group(2)} field(s), expected {fields.group(1)} "
                f"(delimiter {dialect.delimiter!r}, quote {dialect.quote!r}): a ragged row, or "
                "a value holding the delimiter without quotes; fix the export")
    if "Invalid unicode" in text or "not utf-8 encoded" in text:
        other = "latin-1" if dialect.encoding != "latin-1" else "utf-8"
        return (f"{where} is not valid {dialect.encoding}; if the export is {other}, add "
                f"`{table}: {{encoding: {other}}}` to {path.parent / DIALECTS_FILE}")
    if "unterminated quote" in text.lower():
        return (f"{where}: a quoted value is not closed (quote {dialect.quote!r}); fix the "
                "export or set the quote character")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"{where}: cannot be read as CSV ({dialect.describe()}): {first}"
