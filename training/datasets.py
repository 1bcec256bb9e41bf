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

import pandas as pd
from feast import FeatureService, FeatureStore

from mfs import paths
from mfs.featurestore.store import open_store
from training.config import ModelConfig, load_model_config

AS_OF = "event_timestamp"  # Feast's name for the entity frame's as-of column


def feature_names(service: FeatureService) -> list[str]:
    """The service's features in declaration order (Feast's own frames use set order)."""
    return [f.name for p in service.feature_view_projections for f in p.features]


def join_key_of(store: FeatureStore, service: FeatureService) -> str:
    """The one join key all views of a model's service share (a model scores one entity)."""
    keys = {key for p in service.feature_view_projections
            for key in store.get_feature_view(p.name).join_keys}
    if len(keys) != 1:
        raise ValueError(f"feature service {service.name} spans join keys {sorted(keys)}; a "
                         "model's service must describe exactly one entity")
    return keys.pop()


def label_query(config: ModelConfig, join_key: str, start: datetime | None,
                end: datetime | None, complete_only: bool = True) -> str:
    """The entity rows as a DuckDB query over the label mart's parquet export: entity key,
    as-of time (`event_timestamp`) and label, as-of times in [start, end)."""
    path = paths.features_dir() / f"{config.label.mart}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path}: label mart {config.label.mart} not exported; run "
                                "`mfs build`")
    label = config.label
    where = [label.complete_column] if complete_only else ["true"]
    if start is not None:
        where.append(f"{label.as_of_column} >= '{start.isoformat()}'::timestamptz")
    if end is not None:
        where.append(f"{label.as_of_column} < '{end.isoformat()}'::timestamptz")
    return (f"select {join_key}, {label.as_of_column} as {AS_OF}, {label.column} "
            f"from read_parquet('{path}') where {' and '.join(where)} "
            f"order by {AS_OF}, {join_key}")


def training_set(
    model: str,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    complete_only: bool = True,
    store: FeatureStore | None = None,
) -> pd.DataFrame:
    """Features (as of each label's time) and labels for `model`, as-of times in [start, end).

    Rows are ordered by as-of time, then entity key; features in the service's order.
    """
    config = load_model_config(model)
    store = store or open_store()
    service = store.get_feature_service(config.feature_service)
    join_key = join_key_of(store, service)
    labels = label_query(config, join_key, start, end, complete_only)
    table = store.get_historical_features(entity_df=labels, features=service).to_arrow()
    columns = [join_key, AS_OF, *feature_names(service), config.label.column]
    return table.select(columns).to_pandas()  # rows in the label query's order
