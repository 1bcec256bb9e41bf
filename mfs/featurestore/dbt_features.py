"""Read the feature marts' contract (columns, types, descriptions, Feast metadata) from dbt.

This is the one place Feast learns what a feature is: the dbt YAML of the feature marts, as dbt
compiled it into its manifest. A mart tagged `feast` declares its entity, join key, timestamps and
feature views in `meta`; each feature column names its view in `meta.feature_view` and carries
its `data_type`. Anything missing or unknown is an error that names the model and the column.

We do not build on `feast.dbt`: it maps DECIMAL to Int64, knows no TIMESTAMPTZ, has no DuckDB
source and leaves file paths as placeholders, so the ~100 lines below are simpler than patching it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

# dbt/DuckDB column types -> Feast dtype names (feast.types). Only what a feature may be.
FEAST_DTYPES = {
    "bigint": "Int64",
    "integer": "Int32",
    "int": "Int32",
    "double": "Float64",
    "float": "Float32",
    "real": "Float32",
    "varchar": "String",
    "text": "String",
    "boolean": "Bool",
}


class FeatureContractError(ValueError):
    """The dbt YAML of a feature mart does not say what Feast needs (names model and column)."""


@dataclass(frozen=True)
class FeatureColumn:
    name: str
    data_type: str  # as written in dbt YAML
    feast_dtype: str  # a name in feast.types
    description: str
    # 'calendar': grows with the calendar by construction (tenure, days since X); drift
    # monitoring ages the reference before comparing (monitoring/drift.py).
    trend: str | None = None


@dataclass(frozen=True)
class ViewSpec:
    name: str
    description: str
    ttl: timedelta
    owner: str
    team: str
    features: tuple[FeatureColumn, ...]


@dataclass(frozen=True)
class MartSpec:
    """One feature mart: its entity, timestamps, parquet export and feature views."""

    model: str
    description: str
    entity: str
    entity_description: str
    join_key: str
    join_key_type: str
    timestamp_field: str
    created_timestamp_field: str
    views: tuple[ViewSpec, ...]


def _required(meta: dict, key: str, where: str) -> str:
    value = meta.get(key)
    if not value:
        raise FeatureContractError(f"{where}: meta.{key} is missing")
    return str(value)


def _mart_spec(node: dict) -> MartSpec:
    model = node["name"]
    where = f"dbt model {model} ({node.get('original_file_path', '?')})"
    meta = node.get("config", {}).get("meta") or node.get("meta") or {}
    views_meta: dict = meta.get("feast_feature_views") or {}
    if not views_meta:
        raise FeatureContractError(f"{where}: meta.feast_feature_views is missing")
    join_key = _required(meta, "feast_join_key", where)
    columns: dict = node.get("columns", {})
    if join_key not in columns:
        raise FeatureContractError(f"{where}: join key column {join_key!r} is not documented")
    by_view: dict[str, list[FeatureColumn]] = {name: [] for name in views_meta}
    for column in columns.values():
        view = (column.get("meta") or {}).get("feature_view")
        if view is None:
            continue
        col_where = f"{where}, column {column['name']}"
        if view not in by_view:
            raise FeatureContractError(
                f"{col_where}: meta.feature_view {view!r} is not one of the views declared in "
                f"meta.feast_feature_views ({', '.join(by_view)})")
        data_type = (column.get("data_type") or "").lower()
        if data_type not in FEAST_DTYPES:
            raise FeatureContractError(
                f"{col_where}: data_type {data_type or '(none)'!r} has no Feast type; expected "
                f"one of {', '.join(sorted(FEAST_DTYPES))}")
        if not column.get("description"):
            raise FeatureContractError(f"{col_where}: a feature needs a description")
        trend = (column.get("meta") or {}).get("trend")
        if trend not in (None, "calendar"):
            raise FeatureContractError(f"{col_where}: meta.trend must be 'calendar' (a feature "
                                       f"that grows with the calendar) or absent, got {trend!r}")
        by_view[view].append(FeatureColumn(column["name"], data_type, FEAST_DTYPES[data_type],
                                           column["description"].strip(), trend))
    views = []
    for name, view_meta in views_meta.items():
        view_where = f"{where}, feature view {name}"
        if not by_view[name]:
            raise FeatureContractError(f"{view_where}: no column names this view")
        ttl_days = view_meta.get("ttl_days")
        if not isinstance(ttl_days, int) or ttl_days <= 0:
            raise FeatureContractError(f"{view_where}: ttl_days must be a positive integer, got "
                                       f"{ttl_days!r}")
        views.append(ViewSpec(
            name=name,
            description=_required(view_meta, "description", view_where),
            ttl=timedelta(days=ttl_days),
            owner=_required(view_meta, "owner", view_where),
            team=_required(view_meta, "team", view_where),
            features=tuple(by_view[name]),
        ))
    return MartSpec(
        model=model,
        description=" ".join((node.get("description") or "").split()),
        entity=_required(meta, "feast_entity", where),
        entity_description=_required(meta, "feast_entity_description", where),
        join_key=join_key,
        join_key_type=(columns[join_key].get("data_type") or "").lower(),
        timestamp_field=_required(meta, "feast_timestamp", where),
        created_timestamp_field=_required(meta, "feast_created_timestamp", where),
        views=tuple(views),
    )


def feature_marts(manifest_path: Path) -> tuple[MartSpec, ...]:
    """Every model tagged `feast` in the manifest, in name order."""
    if not manifest_path.exists():
        raise FeatureContractError(
            f"{manifest_path}: no dbt manifest. Run `mfs build` first: it writes the manifest "
            "beside the feature exports that Feast reads.")
    manifest = json.loads(manifest_path.read_text())
    nodes = [n for n in manifest["nodes"].values()
             if n.get("resource_type") == "model" and "feast" in (n.get("tags") or [])]
    if not nodes:
        raise FeatureContractError(f"{manifest_path}: no model is tagged 'feast'")
    return tuple(_mart_spec(n) for n in sorted(nodes, key=lambda n: n["name"]))
