"""`mfs score MODEL`: score every current entity with the production model, in bounded memory.

"Current" is the same moment the online store describes: the end of the last publish of the
model's feature service (`as_of`). The entities are those with a feature row within a view's
TTL of `as_of` (the ones a lookup at `as_of` finds anything for). Their features come from
Feast's offline store as of `as_of` (`get_historical_features`, the call training sets are made
with), a chunk of entities at a time, and are scored by the same `Scorer` the API uses.

Writes, replacing the model's previous scores only when every chunk has been scored:
- `data/scores/<model>.parquet` (written under a temporary name, then renamed);
- the `scores` table of the DuckDB warehouse (this model's rows replaced in one transaction);
- `data/scores/history/<model>/<features_as_of>.parquet`, kept for performance monitoring.
`as_of` (a past time) backfills the history with the scores of that time instead.
Columns: model, entity_id, score, decile, model_version, features_as_of, scored_at,
horizon_days (the label horizon of the model: a score is P(outcome within that many days)).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from feast import FeatureStore

from mfs import paths
from mfs.featurestore.store import open_store
from serving.online import published_as_of, service_views
from serving.scorer import Scorer
from training.config import canonical_name
from training.datasets import AS_OF
from training.registry import Registry

SCORES_TABLE = "scores"
# Each chunk is one point-in-time query over the sources, whose scan costs about as much as the
# join: 1M customers took 4 x 8.9 s in chunks of 250k and 13.9 s in one, at a 3.9 GiB peak.
DEFAULT_CHUNK_ROWS = 1_000_000
SCHEMA = pa.schema([
    ("model", pa.string()), ("entity_id", pa.string()), ("score", pa.float64()),
    ("decile", pa.int8()), ("model_version", pa.int32()),
    ("features_as_of", pa.timestamp("us", tz="UTC")),
    ("scored_at", pa.timestamp("us", tz="UTC")),
    ("horizon_days", pa.int32()),  # the label horizon the model was trained for
])


@dataclass
class BatchScoreSummary:
    model: str
    version: int
    feature_service: str
    features_as_of: str
    entities: int
    parquet: str
    warehouse: str
    seconds: float


def current_entities(store: FeatureStore, service_name: str, as_of: datetime) -> list[str]:
    """Entity ids with a row at most one TTL older than `as_of` in any view of the service.

    Views that share a source (all customer views read customer_features) are scanned once,
    with the longest TTL among them: a row within any view's TTL makes the entity current."""
    longest: dict[tuple[str, str, str], float] = {}
    for read in service_views(store, service_name):
        source = read.view.batch_source
        key = (source.path, read.view.join_keys[0], source.timestamp_field)
        ttl = read.ttl.total_seconds() if read.ttl else float("inf")
        longest[key] = max(longest.get(key, 0.0), ttl)
    parts = []
    for (path, key, ts), ttl in longest.items():
        oldest = (f" and {ts} >= $as_of - to_microseconds({int(ttl * 1e6)})"
                  if ttl != float("inf") else "")
        parts.append(f"select {key} as entity_id from read_parquet('{path}') "
                     f"where {ts} <= $as_of{oldest}")
    query = f"select distinct entity_id from ({' union all '.join(parts)}) order by entity_id"
    with duckdb.connect() as con:
        return [row[0] for row in con.execute(query, {"as_of": as_of}).fetchall()]


def features_for(store: FeatureStore, scorer: Scorer, ids: list[str],
                 as_of: datetime) -> pd.DataFrame:
    """Feast's point-in-time features of `ids` at `as_of`, one row per id in `ids`' order."""
    entity_df = pd.DataFrame({scorer.join_key: ids,
                              AS_OF: pd.Series([as_of] * len(ids),
                                               dtype="datetime64[us, UTC]")})
    service = store.get_feature_service(scorer.service_name)
    frame = store.get_historical_features(entity_df=entity_df, features=service).to_df()
    return frame.set_index(scorer.join_key).reindex(ids)


def score_all(
    model: str,
    *,
    store: FeatureStore | None = None,
    registry: Registry | None = None,
    version: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    as_of: datetime | None = None,
    on_progress: Callable[[int, int], object] | None = None,
) -> BatchScoreSummary:
    """Score the current entities; with `as_of` (a past time), backfill the scores they would
    have had then, into the history only (the current scores are left alone)."""
    started = time.perf_counter()
    store = store or open_store()
    model = canonical_name(model)
    scorer = Scorer.load(model, store, version=version, registry=registry)
    published = published_as_of(service_views(store, scorer.service_name))
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    if as_of is not None and as_of > published:
        raise ValueError(f"--as-of {as_of.isoformat()} is after the last publish "
                         f"({published.isoformat()}): there are no features for it yet")
    backfill = as_of is not None and as_of < published
    as_of = as_of or published
    ids = current_entities(store, scorer.service_name, as_of)
    scored_at = datetime.now(UTC)

    out_dir = paths.scores_dir()
    history = history_path(model, as_of)
    history.parent.mkdir(parents=True, exist_ok=True)
    final = history if backfill else out_dir / f"{model}.parquet"
    staged = out_dir / f".{model}.parquet.{os.getpid()}.tmp"
    try:
        with pq.ParquetWriter(staged, SCHEMA) as writer:
            for start in range(0, len(ids), chunk_rows):
                chunk = ids[start:start + chunk_rows]
                frame = features_for(store, scorer, chunk, as_of)
                probabilities = scorer.probabilities(scorer.trained.encoder.transform(frame))
                writer.write_table(pa.table({
                    "model": pa.array([model] * len(chunk), pa.string()),
                    "entity_id": pa.array(chunk, pa.string()),
                    "score": pa.array(probabilities, pa.float64()),
                    "decile": pa.array(scorer.deciles(probabilities), pa.int8()),
                    "model_version": pa.array([scorer.version] * len(chunk), pa.int32()),
                    "features_as_of": pa.array([as_of] * len(chunk), SCHEMA.field(
                        "features_as_of").type),
                    "scored_at": pa.array([scored_at] * len(chunk),
                                          SCHEMA.field("scored_at").type),
                    "horizon_days": pa.array([scorer.horizon_days] * len(chunk), pa.int32()),
                }, schema=SCHEMA))
                if on_progress:
                    on_progress(min(start + chunk_rows, len(ids)), len(ids))
        warehouse = paths.warehouse_path()
        if not backfill:
            replace_in_warehouse(warehouse, model, staged)
            shutil.copyfile(staged, history.with_suffix(".tmp"))
            os.replace(history.with_suffix(".tmp"), history)
        os.replace(staged, final)
    finally:
        staged.unlink(missing_ok=True)
    return BatchScoreSummary(model, scorer.version, scorer.service_name, as_of.isoformat(),
                             len(ids), str(final), str(warehouse),
                             round(time.perf_counter() - started, 2))


def history_path(model: str, as_of: datetime) -> Path:
    """Every scoring is also kept by the time its features describe, so that scores can be
    joined with their outcomes once the label window closes (monitoring/performance.py)."""
    return paths.scores_dir() / "history" / model / f"{as_of:%Y%m%dT%H%M%SZ}.parquet"


def replace_in_warehouse(warehouse: Path, model: str, parquet: Path) -> None:
    """The model's rows of the `scores` table replaced by the parquet's, in one transaction."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("begin transaction")
        con.execute(f"create table if not exists {SCORES_TABLE} (model varchar not null, "
                    "entity_id varchar not null, score double not null, decile tinyint not null, "
                    "model_version integer not null, features_as_of timestamptz not null, "
                    "scored_at timestamptz not null, horizon_days integer)")
        # A table from before scores carried their horizon gets the column.
        con.execute(f"alter table {SCORES_TABLE} add column if not exists horizon_days integer")
        con.execute(f"delete from {SCORES_TABLE} where model = ?", [model])
        con.execute(f"insert into {SCORES_TABLE} by name select * from read_parquet(?)",
                    [str(parquet)])
        con.execute("commit")
