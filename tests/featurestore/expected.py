"""What the online store must hold, computed straight from the parquet exports with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
from feast import FeatureStore, FeatureView

from mfs import paths
from mfs.featurestore.definitions import definitions


def latest_offline(features_dir: Path, view: FeatureView) -> dict[str, dict[str, object]]:
    """{entity key: {feature: value}} for every entity whose newest row is within the view's
    TTL of the mart's newest snapshot (what a first publish makes available online)."""
    mart = definitions().mart_of(view.name)
    names = [f.name for f in view.features]
    path = paths.mart_export(mart.model, features_dir)
    ttl_us = int(view.ttl.total_seconds() * 1_000_000)
    with duckdb.connect() as con:
        rows = con.execute(
            f"select {mart.join_key}, {', '.join(names)} from read_parquet('{path}') "
            f"where {mart.timestamp_field} >= (select max({mart.timestamp_field}) "
            f"from read_parquet('{path}')) - to_microseconds({ttl_us}) "
            f"qualify row_number() over (partition by {mart.join_key} "
            f"order by {mart.timestamp_field} desc, {mart.created_timestamp_field} desc) = 1"
        ).fetchall()
    return {r[0]: dict(zip(names, r[1:], strict=True)) for r in rows}


def online_vectors(store: FeatureStore, view: FeatureView, keys: list[str]
                   ) -> dict[str, dict[str, object]]:
    """{entity key: {feature: value}} from the online store via the standard SDK call."""
    join_key = view.join_keys[0]
    names = [f.name for f in view.features]
    result = store.get_online_features(
        features=[f"{view.name}:{n}" for n in names],
        entity_rows=[{join_key: k} for k in keys],
    ).to_dict()
    return {k: {n: result[n][i] for n in names} for i, k in enumerate(result[join_key])}


def all_keys(features_dir: Path, view: FeatureView) -> list[str]:
    mart = definitions().mart_of(view.name)
    with duckdb.connect() as con:
        return [r[0] for r in con.execute(
            f"select distinct {mart.join_key} from read_parquet("
            f"'{paths.mart_export(mart.model, features_dir)}') order by 1").fetchall()]
