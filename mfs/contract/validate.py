"""Check a directory of raw files against the contract, in DuckDB.

Every rule of the contract becomes one boolean flag per row, computed in a single scan of each
file, so that 50M web events validate in bounded memory. The report counts each violation class
and keeps a few example row numbers (1-based data rows, header excluded) so a user can find them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from mfs import clock
from mfs.contract.files import RawFile, RawLayout, discover
from mfs.contract.reader import CsvReadError, csv_columns, explain, reader_sql
from mfs.contract.schema import TABLES_BY_NAME, Column, Table

EXAMPLES = 5
# A time of day, then a zone (Z or an offset), at the end of timestamp text: `2025-03-01` ends in
# "-01" but carries no zone. The staging macro zoned_time_pattern() is the same expression.
_TZ_SUFFIX = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type name a contract Arrow type reads as."""
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP WITH TIME ZONE" if arrow_type.tz else "TIMESTAMP"
    mapping = {
        pa.string(): "VARCHAR",
        pa.int64(): "BIGINT",
        pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN",
        pa.date32(): "DATE",
    }
    return mapping[arrow_type]


# Physical types that hold the contract type without loss: accepted as they are.
_COMPATIBLE = {
    "BIGINT": {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT"},
    "DOUBLE": {"DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT"},
    "TIMESTAMP WITH TIME ZONE": {"TIMESTAMP WITH TIME ZONE"},
}


@dataclass
class Violation:
    """One class of contract violation in one column (or table) of one file."""

    table: str
    column: str | None
    kind: str
    count: int
    message: str
    examples: list[int] = field(default_factory=list)


@dataclass
class TableReport:
    table: str
    file: str | None
    format: str | None
    rows: int = 0
    valid_rows: int = 0
    status: str = "checked"  # checked | absent_optional | absent_required | unreadable
    violations: list[Violation] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)  # left out, nullable or defaulted


@dataclass
class ValidationReport:
    directory: str
    tables: list[TableReport]
    ignored_files: list[str]

    @property
    def violations(self) -> list[Violation]:
        return [v for t in self.tables for v in t.violations]

    @property
    def ok(self) -> bool:
        return not self.violations

    def counts(self) -> dict[tuple[str, str | None, str], int]:
        """Violation counts keyed by (table, column, kind): what tests compare against."""
        return {(v.table, v.column, v.kind): v.count for v in self.violations}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_relation(con: duckdb.DuckDBPyConnection, raw: RawFile) -> tuple[str, dict[str, str]]:
    """A table expression over the file with a 1-based `__row`, and its physical column types.

    CSV is read as text on purpose, with its table's explicit dialect (mfs/contract/reader.py,
    the build reads it the same way): parsing is the contract's job, so that a bad value
    becomes a counted violation instead of a reader error or a silently guessed type.
    Raises CsvReadError (file, line, what was expected) for a CSV its dialect cannot read.
    """
    path = _lit(str(raw.path))
    if raw.format == "parquet":
        sql = (
            "(select *, file_row_number + 1 as __row "
            f"from read_parquet({path}, file_row_number=true))"
        )
        described = con.execute(f"describe select * from read_parquet({_lit(str(raw.path))})")
        types = {row[0]: row[1] for row in described.fetchall()}
        return sql, types
    tbl = TABLES_BY_NAME[raw.table]
    names = csv_columns(con, raw.path, raw.dialect, [c.name for c in tbl.columns], raw.table)
    reader = reader_sql(raw.path, raw.dialect, names)
    sql = f"(select *, row_number() over () as __row from {reader})"
    return sql, dict.fromkeys(names, "VARCHAR")


def scan_csv(con: duckdb.DuckDBPyConnection, raw: RawFile, relation: str) -> None:
    """Read a whole CSV once (its rows, not its values), so that a ragged or mis-encoded line
    anywhere is a CsvReadError naming it, before anything else reads the file."""
    try:
        con.execute(f"select count(*) from {relation}").fetchall()
    except duckdb.Error as exc:
        raise CsvReadError(explain(exc, raw.path, raw.dialect, raw.table)) from exc


def _unreadable(raw: RawFile, exc: Exception) -> Violation:
    message = str(exc) if isinstance(exc, CsvReadError) else (
        f"{raw.path}: cannot be read as {raw.format}: {exc}")
    return Violation(raw.table, None, "unreadable_file", 1, message)


def _typed_expr(col: Column, physical: str) -> str:
    expected = duckdb_type(col.type)
    if physical == expected or physical in _COMPATIBLE.get(expected, ()):
        return f"{_q(col.name)}::{expected}" if physical != expected else _q(col.name)
    if expected == "TIMESTAMP WITH TIME ZONE" and physical == "TIMESTAMP":
        # Naive timestamps are flagged separately; read them as UTC so other rules still run.
        return f"timezone('UTC', {_q(col.name)})"
    if expected == "BOOLEAN" and physical == "VARCHAR":
        return f"try_cast(lower(trim({_q(col.name)})) as BOOLEAN)"
    return f"try_cast(trim({_q(col.name)}::VARCHAR) as {expected})"


@dataclass
class _Rule:
    column: str | None
    kind: str
    flag_sql: str
    message: str


def _column_rules(
    tbl: Table, col: Column, physical: str, typed: str, reference_time: str,
    parents: dict[str, str],
) -> list[_Rule]:
    rules: list[_Rule] = []
    raw = _q(col.name)
    expected = duckdb_type(col.type)
    name = f"{tbl.name}.{col.name}"
    naive_ts = expected == "TIMESTAMP WITH TIME ZONE" and physical == "TIMESTAMP"
    if physical != expected and physical not in _COMPATIBLE.get(expected, ()) and not naive_ts:
        rules.append(_Rule(col.name, "unparseable_value",
                           f"({raw} is not null and {typed} is null)",
                           f"{name}: values that do not parse as {expected}"))
    if expected == "TIMESTAMP WITH TIME ZONE":
        if physical == "TIMESTAMP":
            naive = f"({raw} is not null)"
        elif physical == "VARCHAR":
            naive = f"({raw} is not null and not regexp_matches(trim({raw}), {_lit(_TZ_SUFFIX)}))"
        else:
            naive = None
        if naive:
            rules.append(_Rule(col.name, "timestamp_without_timezone", naive,
                               f"{name}: timestamps without a time zone (expected UTC with "
                               "an explicit offset, e.g. 2026-01-31T09:15:00Z)"))
    if not col.nullable:
        kind = "null_key" if col.unique else "null_value"
        rules.append(_Rule(col.name, kind, f"({raw} is null)", f"{name}: missing values"))
    if col.allowed:
        values = ", ".join(_lit(v) for v in col.allowed)
        rules.append(_Rule(col.name, "invalid_value", f"({typed} not in ({values}))",
                           f"{name}: values outside {list(col.allowed)}"))
    if col.pattern:
        rules.append(_Rule(col.name, "malformed_value",
                           f"(not regexp_matches({typed}, {_lit(col.pattern)}))",
                           f"{name}: values not matching {col.pattern}"))
    if col.minimum is not None:
        rules.append(_Rule(col.name, "out_of_range", f"({typed} < {col.minimum})",
                           f"{name}: values below {col.minimum:g}"))
    if col.not_future:
        rules.append(_Rule(col.name, "future_timestamp", f"({typed} > {reference_time})",
                           f"{name}: timestamps in the future"))
    if col.unique:
        rules.append(_Rule(col.name, "duplicate_key",
                           f"({typed} is not null and row_number() over "
                           f"(partition by {typed} order by __row) > 1)",
                           f"{name}: repeated key values (rows after the first)"))
    if col.unique_normalized and tbl.key is not None:
        # Rows whose normalised value first appeared under another key: a second person record,
        # not a re-export of the same record (that is duplicate_key's business).
        norm = f"lower(trim({typed}))"
        key = _q(tbl.key.name)
        rules.append(_Rule(col.name, "duplicate_after_normalization",
                           f"({typed} is not null and first_value({key}) over "
                           f"(partition by {norm} order by __row) <> {key})",
                           f"{name}: the same value in different case/spacing "
                           "(likely the same person twice)"))
    if col.references:
        parent = col.references.split(".")[0]
        if parent in parents:
            rules.append(_Rule(col.name, "unknown_reference",
                               f"({typed} is not null and {typed} not in "
                               f"(select k from {parents[parent]}))",
                               f"{name}: values not found in {col.references}"))
    return rules


def _parent_keys_sql(con: duckdb.DuckDBPyConnection, layout: RawLayout) -> dict[str, str]:
    """A distinct-key view per present table that other tables reference."""
    parents: dict[str, str] = {}
    referenced = {
        c.references for t in TABLES_BY_NAME.values() for c in t.columns if c.references
    }
    for ref in sorted(referenced):
        tname, cname = ref.split(".")
        raw = layout.files.get(tname)
        if raw is None:
            continue
        try:
            rel, types = open_relation(con, raw)
            if raw.format == "csv":
                scan_csv(con, raw, rel)
        except (duckdb.Error, CsvReadError):
            continue  # reported as the parent's own unreadable_file; no reference check
        if cname not in types:
            continue
        col = TABLES_BY_NAME[tname].column(cname)
        view = f"__keys_{tname}"
        con.execute(
            f"create or replace temp view {view} as "
            f"select distinct {_typed_expr(col, types[cname])} as k from {rel}"
        )
        parents[tname] = view
    return parents


def schema_violations(tbl: Table, raw: RawFile, types: dict[str, str],
                      text_is_parsed: bool = False) -> list[Violation]:
    """Missing, unexpected and wrongly typed columns of one raw file: one violation a kind,
    naming the file and every column of that kind. A column that may be absent (nullable, or
    with a default) is not missing (`absent_columns` lists it). CSV is read as text, so only
    its column names are checked here; with `text_is_parsed`, a parquet column stored as text
    passes too (the build's staging parses text and quarantines what does not parse, row by
    row, as it does for CSV)."""
    expected_names = [c.name for c in tbl.columns]
    missing = [c.name for c in tbl.columns if c.name not in types and not c.may_be_absent]
    unexpected = [name for name in types if name not in expected_names]
    wrong = []
    for col in tbl.columns:
        physical, expected = types.get(col.name), duckdb_type(col.type)
        if (
            physical is not None and raw.format == "parquet" and physical != expected
            and not (text_is_parsed and physical == "VARCHAR")
            and physical not in _COMPATIBLE.get(expected, ())
            and not (expected == "TIMESTAMP WITH TIME ZONE" and physical == "TIMESTAMP")
        ):
            wrong.append((col.name, f"{col.name!r} has type {physical}, expected {expected}"))
    found: list[Violation] = []
    if missing:
        found.append(Violation(
            tbl.name, ", ".join(missing), "missing_column", len(missing),
            f"{raw.path}: required column(s) {', '.join(map(repr, missing))} missing "
            f"(expected columns: {expected_names}; nullable ones may be left out)"))
    if unexpected:
        found.append(Violation(
            tbl.name, ", ".join(unexpected), "unexpected_column", len(unexpected),
            f"{raw.path}: column(s) {', '.join(map(repr, unexpected))} not in the contract for "
            f"{tbl.name}"))
    if wrong:
        found.append(Violation(
            tbl.name, ", ".join(name for name, _ in wrong), "wrong_type", len(wrong),
            f"{raw.path}: column {'; column '.join(said for _, said in wrong)}"))
    return found


def absent_columns(tbl: Table, types: dict[str, str]) -> list[str]:
    """Contract columns the file leaves out that may be absent, with what stands in for them."""
    return [f"{c.name} (= {c.default})" if c.default else f"{c.name} (null)"
            for c in tbl.columns if c.name not in types and c.may_be_absent]


def directory_schema_violations(layout: RawLayout) -> list[Violation]:
    """`schema_violations` for every contract table present, as the build sees them: cheap
    (schemas only), so the build runs it before dbt and stops with the file and column named
    instead of a binder error deep in a staging model."""
    found: list[Violation] = []
    with duckdb.connect() as con:
        for name, raw in layout.files.items():
            tbl = TABLES_BY_NAME.get(name)
            if tbl is None:
                continue
            try:
                relation, types = open_relation(con, raw)
                if raw.format == "csv":
                    scan_csv(con, raw, relation)
            except (duckdb.Error, CsvReadError) as exc:
                found.append(_unreadable(raw, exc))
                continue
            found.extend(schema_violations(tbl, raw, types, text_is_parsed=True))
    return found


def validate_table(
    con: duckdb.DuckDBPyConnection, tbl: Table, raw: RawFile, reference_time: str,
    parents: dict[str, str],
) -> TableReport:
    report = TableReport(tbl.name, str(raw.path), raw.format)
    try:
        rel, types = open_relation(con, raw)
        if raw.format == "csv":
            scan_csv(con, raw, rel)
    except (duckdb.Error, CsvReadError) as exc:
        report.status = "unreadable"
        report.violations.append(_unreadable(raw, exc))
        return report
    report.violations.extend(schema_violations(tbl, raw, types))
    report.absent_columns = absent_columns(tbl, types)
    rules: list[_Rule] = []
    for col in tbl.columns:
        if col.name not in types:
            continue
        physical = types[col.name]
        typed = _typed_expr(col, physical)
        rules.extend(_column_rules(tbl, col, physical, typed, reference_time, parents))
    if tbl.composite_key and all(k in types for k in tbl.composite_key):
        keys = ", ".join(
            _typed_expr(tbl.column(k), types[k]) for k in tbl.composite_key
        )
        rules.append(_Rule(",".join(tbl.composite_key), "duplicate_key",
                           f"(row_number() over (partition by {keys} order by __row) > 1)",
                           f"{tbl.name}: repeated ({', '.join(tbl.composite_key)})"))
    flags = [f"coalesce({r.flag_sql}, false) as __f{i}" for i, r in enumerate(rules)]
    flag_names = [f"__f{i}" for i in range(len(rules))]
    any_flag = " or ".join(flag_names) if flag_names else "false"
    aggregates = ["count(*)", f"count(*) filter (where not ({any_flag}))"]
    for name in flag_names:
        aggregates += [
            f"count(*) filter (where {name})",
            f"min(__row, {EXAMPLES}) filter (where {name})",  # the first few offending rows
        ]
    sql = (
        f"with flagged as (select __row, {', '.join(flags) or 'true as __none'} from {rel}) "
        f"select {', '.join(aggregates)} from flagged"
    )
    row = con.execute(sql).fetchone()
    assert row is not None
    report.rows, report.valid_rows = int(row[0]), int(row[1])
    for i, rule in enumerate(rules):
        count = int(row[2 + 2 * i])
        if count:
            examples = sorted(int(x) for x in (row[3 + 2 * i] or []))
            report.violations.append(Violation(
                tbl.name, rule.column, rule.kind, count,
                f"{raw.path}: {rule.message}: {count} row(s), e.g. rows "
                + ", ".join(map(str, examples)),
                examples,
            ))
    return report


def validate_directory(directory: Path, reference_time: datetime | None = None) -> ValidationReport:
    """Validate every contract table found in `directory`.

    `reference_time` is "now" for the future-timestamp rule; it defaults to `mfs.clock.now()`,
    the time the build's own future checks use.
    """
    layout = discover(directory)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    ref = f"timestamptz {_lit((reference_time or clock.now()).isoformat())}"
    parents = _parent_keys_sql(con, layout)
    reports: list[TableReport] = []
    for name, tbl in TABLES_BY_NAME.items():
        raw = layout.files.get(name)
        if raw is None:
            status = "absent_required" if tbl.required else "absent_optional"
            rep = TableReport(name, None, None, status=status)
            if tbl.required:
                rep.violations.append(Violation(
                    name, None, "missing_table", 1,
                    f"{layout.directory}: required table {name} not found "
                    f"(expected {name}.parquet or {name}.csv)"))
            reports.append(rep)
            continue
        reports.append(validate_table(con, tbl, raw, ref, parents))
    con.close()
    return ValidationReport(str(layout.directory), reports, list(layout.ignored))
