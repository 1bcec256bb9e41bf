"""Apply the erasure register to everything already built, published or written.

The next `dbt build` excludes an erased person in staging on its own; this sweep removes what
earlier runs left behind, at once: rows in every warehouse table (incremental models keep old
rows a build would not revisit), the parquet feature exports Feast reads offline, the batch
scores and their history, the online store, and the records stored with past audience exports.
It re-applies the whole register each time, so it is idempotent and a sweep interrupted
half-way is finished by the next `mfs forget` or `mfs forget --reapply`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from mfs import paths
from mfs.privacy.register import register_path

# Column name -> the kinds of identifier it holds (base_privacy__erased_subjects.subject_type).
PERSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "contact_id": ("contact_id",),
    "customer_id": ("contact_id",),
    "user_id": ("contact_id",),
    "lead_id": ("lead_id",),
    "anonymous_id": ("anonymous_id",),
    "email_key": ("email_key",),
    "entity_id": ("contact_id", "lead_id"),  # the scores table: customers and leads
}
# Views over the landing files, the register itself, and the seeds: nothing stored to sweep.
UNSWEPT_SCHEMAS = ("raw", "privacy", "reference")
RESOLVER_MODEL = "base_privacy__erased_subjects"


class ErasureError(RuntimeError):
    """The register could not be applied (says what to run first)."""


@dataclass
class ErasureReport:
    subjects: dict[str, int] = field(default_factory=dict)  # subject type -> identifiers
    warehouse: dict[str, int] = field(default_factory=dict)  # table -> rows removed
    files: dict[str, int] = field(default_factory=dict)  # parquet file -> rows removed
    online: dict[str, int] = field(default_factory=dict)  # feature view -> entities removed
    exports: dict[str, int] = field(default_factory=dict)  # export folder -> rows removed


def _condition(columns: list[str]) -> str:
    """True for a row of an erased person (never null: a null id is nobody)."""
    parts = []
    for column in columns:
        kinds = ", ".join(f"'{k}'" for k in PERSON_COLUMNS[column])
        parts.append(f'coalesce("{column}" in (select subject_id from _erased '
                     f"where subject_type in ({kinds})), false)")
    return " or ".join(parts)


def resolve_subjects(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every identifier of every erased person, by dbt's own resolution model, with the
    register view pointed at the current register file."""
    found = con.execute("select table_schema from information_schema.tables "
                        "where table_name = ? and table_catalog = current_database()",
                        [RESOLVER_MODEL]).fetchall()
    if not found:
        raise ErasureError(f"{RESOLVER_MODEL} is not in the warehouse: run `mfs build` once "
                           "with this version, then `mfs forget --reapply`")
    register = register_path().resolve()
    con.execute("create schema if not exists privacy")
    if register.exists():
        literal = str(register).replace("'", "''")  # DDL takes no parameters
        con.execute("create or replace view privacy.erasure_requests as select request_id, "
                    f"subject_type, subject_sha256, requested_at from read_parquet('{literal}')")
    return con.execute(f'select distinct subject_type, subject_id from "{found[0][0]}".'
                       f'"{RESOLVER_MODEL}"').df()


def sweep_warehouse(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Delete the subjects' rows from every stored table, in one transaction. A table that
    counts raw rows (has `rejection_reason`) keeps the row, re-classified `erased` with its
    identifiers nulled, exactly as a full refresh would produce it."""
    removed: dict[str, int] = {}
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and table_catalog = current_database() "
        f"and table_schema not in ({', '.join(repr(s) for s in UNSWEPT_SCHEMAS)})").fetchall()
    con.execute("begin transaction")
    try:
        for schema, table in tables:
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? and table_catalog = current_database()",
                [schema, table]).fetchall()]
            person = [c for c in columns if c in PERSON_COLUMNS]
            if not person:
                continue
            name = f'"{schema}"."{table}"'
            if "rejection_reason" in columns:
                nulls = ", ".join(f'"{c}" = null' for c in person)
                sql = (f"update {name} set {nulls}, rejection_reason = 'erased' "
                       f"where {_condition(person)}")
            else:
                sql = f"delete from {name} where {_condition(person)}"
            count = con.execute(sql).fetchone()[0]
            if count:
                removed[f"{schema}.{table}"] = int(count)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return removed


def sweep_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Rewrite one parquet file without the subjects' rows (replaced atomically)."""
    columns = [c for (c,) in con.execute(
        "select name from parquet_schema(?) where name in "
        f"({', '.join(repr(c) for c in PERSON_COLUMNS)})", [str(path)]).fetchall()]
    if not columns:
        return 0
    condition = _condition(columns)
    hits = con.execute(f"select count(*) from read_parquet(?) where {condition}",
                       [str(path)]).fetchone()[0]
    if not hits:
        return 0
    staged = path.with_name(f".{path.name}.{os.getpid()}.erasure.tmp")
    escaped = str(staged).replace("'", "''")
    con.execute(f"copy (select * from read_parquet(?) where not ({condition})) "
                f"to '{escaped}' (format parquet)", [str(path)])
    os.replace(staged, path)
    return int(hits)


def stored_parquet_files() -> list[Path]:
    """Parquet written by the pipeline that can hold a person: the feature and label exports,
    and the batch scores with their history."""
    found: list[Path] = []
    for root in (paths.features_dir(), paths.scores_dir()):
        if root.is_dir():
            found += sorted(p for p in root.rglob("*.parquet") if not p.name.startswith("."))
    return found


def sweep_online(subjects: pd.DataFrame) -> dict[str, int]:
    """Remove the subjects' entities from every feature view of the online store."""
    from mfs.featurestore.online.packed import PackedOnlineStore
    from mfs.featurestore.store import open_store

    store = open_store()
    online = store._get_provider().online_store  # the store Feast itself writes and reads
    if not isinstance(online, PackedOnlineStore):
        raise ErasureError(f"online store {type(online).__name__} cannot delete entities; "
                           "use the project's sqlite or redis store (feature_repo/)")
    removed: dict[str, int] = {}
    for view in store.list_feature_views():
        keys = [c.name for c in view.entity_columns]
        kinds = PERSON_COLUMNS.get(keys[0], ()) if len(keys) == 1 else ()
        if not kinds:
            continue
        ids = subjects.loc[subjects["subject_type"].isin(kinds), "subject_id"].tolist()
        removed[view.name] = online.delete_entities(store.config, view, ids)
    return removed


def apply_register(
    *, online: bool = True,
    scrub_exports: Callable[[set[str]], dict[str, int]] | None = None,
) -> ErasureReport:
    """Sweep every place the pipeline stores people (see the module docstring)."""
    report = ErasureReport()
    warehouse = paths.warehouse_path()
    if not warehouse.exists():
        return report  # nothing built yet: the first build excludes them in staging
    with duckdb.connect(str(warehouse)) as con:
        subjects = resolve_subjects(con)
        report.subjects = subjects["subject_type"].value_counts().to_dict()
        if subjects.empty:
            return report
        con.register("_erased_frame", subjects)
        con.execute("create or replace temp table _erased as select * from _erased_frame")
        report.warehouse = sweep_warehouse(con)
        for path in stored_parquet_files():
            removed = sweep_parquet(con, path)
            if removed:
                report.files[str(path)] = removed
    if online:
        report.online = sweep_online(subjects)
    if scrub_exports is not None:
        people = set(subjects.loc[subjects["subject_type"].isin(["contact_id", "lead_id"]),
                                  "subject_id"])
        report.exports = scrub_exports(people)
    return report
