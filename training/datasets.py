"""Point-in-time-correct training sets, from Feast only.

`training_set("purchase_propensity", start, end)` takes the model's labels from its dbt label
mart (as-of times in [start, end), closed label windows only), asks Feast for the features of
the model's feature service as of each label's time (`get_historical_features`: the latest
feature row at or before the as-of time and within the view's TTL, never a later one), and
returns one frame: entity key, `event_timestamp` (the as-of time), the features in the
service's order, and the label. Training never reads the feature marts directly, so it sees
exactly what serving will see.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
from feast import FeatureService, FeatureStore

from mfs import paths
from mfs.featurestore.store import open_store
from training.config import ModelConfig, as_config
from training.features import Kind, kind_of

AS_OF = "event_timestamp"  # Feast's name for the entity frame's as-of column


def feature_names(service: FeatureService) -> list[str]:
    """The service's features in declaration order (Feast's own frames use set order)."""
    return [f.name for p in service.feature_view_projections for f in p.features]


def feature_kinds(store: FeatureStore, service: FeatureService) -> dict[str, Kind]:
    """Each feature of the service, in the service's order, with how the model encodes it,
    decided by its Feast value type (which the dbt YAML decided)."""
    kinds: dict[str, Kind] = {}
    for projection in service.feature_view_projections:
        view_fields = {f.name: f for f in store.get_feature_view(projection.name).features}
        for feature in projection.features:
            kinds[feature.name] = kind_of(view_fields[feature.name].dtype.to_value_type().name)
    return kinds


def join_key_of(store: FeatureStore, service: FeatureService) -> str:
    """The one join key all views of a model's service share (a model scores one entity)."""
    keys = {key for p in service.feature_view_projections
            for key in store.get_feature_view(p.name).join_keys}
    if len(keys) != 1:
        raise ValueError(f"feature service {service.name} spans join keys {sorted(keys)}; a "
                         "model's service must describe exactly one entity")
    return keys.pop()


ENTITY_BUCKETS = 1_000_000


def label_query(config: ModelConfig, join_key: str, start: datetime | None,
                end: datetime | None, complete_only: bool = True,
                with_label_window: bool = False, entity_share: float = 1.0) -> str:
    """The entity rows as a DuckDB query over the label mart's parquet export: entity key,
    as-of time (`event_timestamp`) and label (and, if asked, when the label window ends), as-of
    times in [start, end). `entity_share` < 1 keeps that share of entities, chosen by an MD5 of
    the key (the same entities on every run and machine), each with all its as-of times."""
    path = paths.mart_export(config.label.mart)
    if not path.exists():
        raise FileNotFoundError(f"{path}: label mart {config.label.mart} not exported; run "
                                "`mfs build`")
    label = config.label
    where = [label.complete_column] if complete_only else ["true"]
    if start is not None:
        where.append(f"{label.as_of_column} >= '{start.isoformat()}'::timestamptz")
    if end is not None:
        where.append(f"{label.as_of_column} < '{end.isoformat()}'::timestamptz")
    if entity_share < 1.0:
        kept = int(entity_share * ENTITY_BUCKETS)
        where.append(f"md5_number({join_key}) % {ENTITY_BUCKETS} < {kept}")
    window = f", {label.window_end_column}" if with_label_window else ""
    return (f"select {join_key}, {label.as_of_column} as {AS_OF}, {label.column}{window} "
            f"from read_parquet('{path}') where {' and '.join(where)} "
            f"order by {AS_OF}, {join_key}")


class NoLabelledRowsError(ValueError):
    """A model has nothing to learn from: its entity is absent from the data, or no label
    window has closed yet. Not a failure of the data: the model is skipped, with this reason."""


def check_labelled_rows(config: ModelConfig, join_key: str) -> int:
    """The number of complete labels; raises NoLabelledRowsError (saying which case) at 0."""
    path = paths.mart_export(config.label.mart)
    if path.is_dir() and not any(path.glob("*.parquet")):
        rows = complete = 0
    else:
        with duckdb.connect() as con:
            rows, complete = (
                con.execute(f"select count(*) from ({label_query(config, join_key, None, None, c)})"
                            ).fetchone()[0] for c in (False, True))
    if complete:
        return int(complete)
    entity = join_key.removesuffix("_id")
    why = (f"{config.label.mart} has no rows: the data has no {entity}s (an export without "
           f"them)" if not rows else
           f"none of {config.label.mart}'s {rows:,} rows has a closed label window yet (the "
           "history is shorter than the label window)")
    raise NoLabelledRowsError(f"{config.name}: nothing to train on, skipped: {why}")


def label_horizon_days(config: ModelConfig) -> int:
    """The horizon the label mart's rows were made with (its `label_window_days`)."""
    path = paths.mart_export(config.label.mart)
    with duckdb.connect() as con:
        try:
            found = [r[0] for r in con.execute(
                f"select distinct label_window_days from read_parquet('{path}/*.parquet')"
            ).fetchall()]
        except duckdb.BinderException as exc:
            raise FileNotFoundError(f"{path}: exported before labels recorded their horizon; "
                                    "run `mfs build --full-refresh`") from exc
    if len(found) != 1:
        raise ValueError(f"{path}: labels of several horizons {sorted(found)}; run `mfs build "
                         "--full-refresh`")
    return int(found[0])


def entity_share_for(config: ModelConfig, join_key: str, max_rows: int | None) -> float:
    """The share of entities that keeps the complete labels within `max_rows` (1.0: all)."""
    if max_rows is None:
        return 1.0
    with duckdb.connect() as con:
        rows = con.execute(f"select count(*) from ({label_query(config, join_key, None, None)})"
                           ).fetchone()[0]
    return 1.0 if rows <= max_rows else max_rows / rows


def training_set(
    model: str | ModelConfig,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    complete_only: bool = True,
    with_label_window: bool = False,
    entity_share: float = 1.0,
    store: FeatureStore | None = None,
) -> pd.DataFrame:
    """Features (as of each label's time) and labels for `model`, as-of times in [start, end).

    Rows are ordered by as-of time, then entity key; features in the service's order.
    `with_label_window` adds the time each label became known (the time split purges on it);
    `entity_share` < 1 samples entities (see `label_query`).
    """
    config = as_config(model)
    store = store or open_store()
    service = store.get_feature_service(config.feature_service)
    join_key = join_key_of(store, service)
    labels = label_query(config, join_key, start, end, complete_only, with_label_window,
                         entity_share)
    table = store.get_historical_features(entity_df=labels, features=service).to_arrow()
    columns = [join_key, AS_OF, *feature_names(service), config.label.column]
    if with_label_window:
        columns.append(config.label.window_end_column)
    return table.select(columns).to_pandas()  # rows in the label query's order
