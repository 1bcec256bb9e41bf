"""The build stage: register raw files, check freshness, `dbt build`, export on success."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mfs import paths
from mfs.build.definitions import definition_changes
from mfs.build.export import ExportedFile, export_marts
from mfs.build.runner import DbtRun, NodeResult, invoke
from mfs.build.status import write_build_status
from mfs.contract.files import RawLayout, RawLayoutError, discover
from mfs.contract.schema import TABLES_BY_NAME
from mfs.contract.validate import directory_schema_violations

FRESHNESS_MODES = ("error", "warn", "skip")


@dataclass
class BuildSummary:
    raw_dir: str
    warehouse: str
    success: bool = False
    seconds: float = 0.0
    # The `dbt build` invocation alone; the rest of `seconds` is the raw layout and schema
    # checks, source freshness, the rejected-rows summary and the export.
    dbt_seconds: float = 0.0
    stage_failed: str | None = None
    models: dict[str, int] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)
    failing: list[dict[str, object]] = field(default_factory=list)
    freshness: list[dict[str, object]] = field(default_factory=list)
    rejected_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    exported: list[ExportedFile] = field(default_factory=list)
    absent_optional_sources: list[str] = field(default_factory=list)
    # Definition vars that changed since the stored rows were built: every row was rebuilt.
    rebuilt_for: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _count(run: DbtRun, resource: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in run.results:
        if r.resource_type == resource:
            counts[r.status] = counts.get(r.status, 0) + 1
    return counts


def _present_sources(layout: RawLayout) -> list[str]:
    """Freshness is checked on the tables that came: an absent optional table is an empty
    stand-in, reported as absent (`absent_optional_sources`), never as stale."""
    return [f"source:{TABLES_BY_NAME[name].system}.{name}" for name in sorted(layout.files)]


def _is_empty(result: NodeResult) -> bool:
    """A present table with no rows has no newest row: dbt reports it as infinitely stale
    (max_loaded_at 0001-01-01). It is reported as `empty` instead; its staging tests judge it."""
    loaded = result.max_loaded_at
    return result.resource_type == "source" and (not loaded or loaded.startswith("0001-"))


def _rejected(warehouse: Path) -> dict[str, dict[str, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select source_table, rejection_reason, count(*) from main.stg_quality__rejected_rows "
            "group by all order by 1, 2"
        ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for table, reason, n in rows:
        out.setdefault(table, {})[reason] = int(n)
    return out


def build(
    raw_dir: Path,
    warehouse: Path,
    features_dir: Path,
    *,
    full_refresh: bool = False,
    freshness: str = "error",
    dbt_vars: dict[str, str] | None = None,
    on_node: Callable[[str, str], None] | None = None,
    target_dir: Path | None = None,
) -> BuildSummary:
    """Build the warehouse from `raw_dir`; export marts to `features_dir` only if all is green.

    `freshness`: 'error' stops before building when a source is stale past its error threshold,
    'warn' reports staleness and builds anyway, 'skip' does not check. Whatever happens, the
    outcome is recorded in `features_dir/_build.json`, which `mfs publish` checks first.
    """
    try:
        summary = _build(raw_dir, warehouse, features_dir, full_refresh=full_refresh,
                         freshness=freshness, dbt_vars=dbt_vars, on_node=on_node,
                         target_dir=target_dir)
    except RawLayoutError as exc:
        write_build_status(features_dir, BuildSummary(
            raw_dir=str(raw_dir), warehouse=str(warehouse), stage_failed="sources",
            errors=[str(exc)]))
        raise
    write_build_status(features_dir, summary)
    return summary


def _build(
    raw_dir: Path,
    warehouse: Path,
    features_dir: Path,
    *,
    full_refresh: bool = False,
    freshness: str = "error",
    dbt_vars: dict[str, str] | None = None,
    on_node: Callable[[str, str], None] | None = None,
    target_dir: Path | None = None,
) -> BuildSummary:
    started = time.perf_counter()
    layout = discover(raw_dir)  # raises RawLayoutError with a clear message
    summary = BuildSummary(raw_dir=str(raw_dir), warehouse=str(warehouse),
                           absent_optional_sources=list(layout.missing_optional))
    if layout.missing_required:
        summary.stage_failed = "sources"
        summary.errors.append(
            f"{raw_dir}: required raw table(s) missing: {', '.join(layout.missing_required)}")
        return summary
    drifted = directory_schema_violations(layout)
    if drifted:  # before dbt: name the file and column instead of a binder error in a model
        summary.stage_failed = "schema"
        summary.failing = [{"name": f"{v.table}.{v.column}" if v.column else v.table,
                            "kind": v.kind, "message": v.message} for v in drifted]
        summary.seconds = round(time.perf_counter() - started, 2)
        return summary
    var_args = ["--vars", json.dumps(dbt_vars)] if dbt_vars else []

    if freshness != "skip":
        # Freshness queries the raw views, so register them first (dbt build's on-run-start
        # hook does it again, cheaply, for builds that skip this check).
        register = invoke(["run-operation", "register_raw_sources", *var_args], raw_dir,
                          warehouse, target_dir=target_dir)
        if not register.success:
            summary.stage_failed = "register_raw_sources"
            summary.errors = register.errors
            return summary
        fresh = invoke(["source", "freshness", "--select", *_present_sources(layout),
                        *var_args], raw_dir, warehouse, target_dir=target_dir)
        summary.freshness = [
            {"source": r.name, "status": "empty" if _is_empty(r) else r.status}
            for r in fresh.results
        ]
        stale = [r for r in fresh.results
                 if r.status in ("error", "runtime error") and not _is_empty(r)]
        if stale and freshness == "error":
            summary.stage_failed = "freshness"
            summary.failing = [{"name": r.name, "kind": "source freshness", "message":
                                r.message or r.status} for r in stale]
            summary.seconds = round(time.perf_counter() - started, 2)
            return summary

    summary.rebuilt_for = definition_changes(warehouse, dbt_vars)
    full_refresh = full_refresh or bool(summary.rebuilt_for)
    args = ["build", *var_args] + (["--full-refresh"] if full_refresh else [])
    dbt_started = time.perf_counter()
    run = invoke(args, raw_dir, warehouse, on_node=on_node, target_dir=target_dir)
    summary.dbt_seconds = round(time.perf_counter() - dbt_started, 2)
    summary.models = _count(run, "model")
    summary.tests = _count(run, "test")
    unit = _count(run, "unit_test")
    if unit:
        summary.tests.update({f"unit_{k}": v for k, v in unit.items()})
    summary.failing = [
        {"name": r.name, "kind": r.resource_type, "status": r.status,
         "message": r.message, "failures": r.failures}
        for r in run.results if r.status in ("error", "fail", "runtime error")
    ]
    summary.errors = run.errors
    if warehouse.exists():
        # When staging did not build there is nothing to count; the failing nodes say why.
        with contextlib.suppress(duckdb.Error):
            summary.rejected_rows = _rejected(warehouse)
    if not run.success:
        summary.stage_failed = "dbt build"
        summary.seconds = round(time.perf_counter() - started, 2)
        return summary
    summary.exported = export_marts(warehouse, features_dir,
                                    (target_dir or paths.dbt_target_dir()) / "manifest.json")
    summary.success = True
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary
