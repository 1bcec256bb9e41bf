"""What the packed online stores share: record layout, the Arrow write path, and decoding.

A record is one entity of one feature view: its key text, event and created timestamps (UTC
microseconds) and a serialized `RepeatedValue` with the view's features in schema order. The
layout id (a hash of the view's join keys, feature names and types) is part of every table or
key name, so a reader whose view definition differs from the writer's finds nothing instead of
decoding values into the wrong features.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from feast import Entity, FeatureView
from feast.infra.online_stores.online_store import OnlineStore
from feast.protos.feast.types.EntityKey_pb2 import EntityKey as EntityKeyProto
from feast.protos.feast.types.Value_pb2 import RepeatedValue
from feast.protos.feast.types.Value_pb2 import Value as ValueProto
from feast.repo_config import RepoConfig

from mfs import faults
from mfs.featurestore.encoding import encode_rows, entity_key_text, entity_keys_column

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Rows encoded per round: bounds memory (~25 MB for a 50-feature view) and lets the next batch
# be encoded while the store writes the current one.
WRITE_BATCH_ROWS = 50_000

Record = tuple[str, int, int, bytes]  # key text, event us, created us, RepeatedValue bytes


@dataclass(frozen=True)
class Layout:
    view: str
    join_keys: tuple[str, ...]
    features: tuple[tuple[str, str], ...]  # (name, Feast dtype name), schema order

    @property
    def id(self) -> str:
        return _layout_id(self.join_keys, self.features)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.features)


@functools.lru_cache(maxsize=1024)
def _layout_id(join_keys: tuple[str, ...], features: tuple[tuple[str, str], ...]) -> str:
    """Hashed once per schema: every online read names its table or keys by it."""
    return hashlib.sha1(json.dumps([join_keys, features]).encode()).hexdigest()[:10]


def layout_of(view: FeatureView) -> Layout:
    return Layout(view=view.name, join_keys=tuple(view.join_keys),
                  features=tuple((f.name, str(f.dtype)) for f in view.features))


def to_micros(ts: datetime | None) -> int:
    if ts is None:
        return 0
    if ts.tzinfo is None:  # Feast's contract: naive means UTC
        ts = ts.replace(tzinfo=UTC)
    return (ts - EPOCH) // timedelta(microseconds=1)


def from_micros(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def _micros_column(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Timestamps (any unit, any zone, or naive UTC) as int64 UTC microseconds."""
    as_us = pc.cast(column, pa.timestamp("us", tz=column.type.tz or "UTC"))
    return pc.cast(as_us, pa.int64()).to_numpy(zero_copy_only=False)


def records_from_arrow(
    table: pa.Table, layout: Layout, timestamp_field: str, created_field: str | None,
) -> Iterator[list[Record]]:
    """Records for `table` (already one row per entity), in batches of WRITE_BATCH_ROWS."""
    for start in range(0, table.num_rows, WRITE_BATCH_ROWS):
        batch = table.slice(start, WRITE_BATCH_ROWS)
        keys = entity_keys_column(batch, list(layout.join_keys)).to_pylist()
        events = _micros_column(batch.column(timestamp_field)).tolist()
        created = (_micros_column(batch.column(created_field)).tolist() if created_field
                   else [0] * batch.num_rows)
        blobs = encode_rows(batch, list(layout.features)).to_pylist()
        yield list(zip(keys, events, created, blobs, strict=True))


def prefetched(batches: Iterator[list[Record]]) -> Iterator[list[Record]]:
    """Yield each batch while the next one is produced in a second thread.

    Encoding (NumPy/Arrow) and the stores' writes (SQLite's step, the Redis socket) both let go
    of the GIL for most of their time, so on two cores they overlap.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(next, batches, None)
        while (batch := upcoming.result()) is not None:
            upcoming = pool.submit(next, batches, None)
            yield batch


def _proto_scalar(value: ValueProto) -> object:
    which = value.WhichOneof("val")
    return getattr(value, which) if which else None


def key_text(entity_key: EntityKeyProto, layout: Layout) -> str:
    """Key text of an entity key proto; must agree with `entity_keys_column` on writes."""
    by_name = dict(zip(entity_key.join_keys, entity_key.entity_values, strict=True))
    return entity_key_text([_proto_scalar(by_name[k]) for k in layout.join_keys])


def records_from_protos(
    data: Sequence[tuple[EntityKeyProto, dict[str, ValueProto], datetime, datetime | None]],
    layout: Layout,
) -> list[Record]:
    """Stock Feast's write input (one ValueProto per feature) as packed records.

    Used when `feast materialize` or `write_to_online_store` writes through our stores: slower
    than the Arrow path, but the stored bytes are the same.
    """
    empty = ValueProto()
    return [
        (key_text(key, layout), to_micros(event_ts), to_micros(created_ts),
         RepeatedValue(val=[values.get(name, empty) for name in layout.feature_names])
         .SerializeToString())
        for key, values, event_ts, created_ts in data
    ]


def latest_per_key(records: list[Record]) -> list[Record]:
    """Keep the newest record (event, then created time) per key within one write batch."""
    newest: dict[str, Record] = {}
    for record in records:
        seen = newest.get(record[0])
        if seen is None or (record[1], record[2]) > (seen[1], seen[2]):
            newest[record[0]] = record
    return list(newest.values())


def decoder(layout: Layout, requested: Sequence[str] | None
            ) -> Callable[[bytes], dict[str, ValueProto]]:
    """bytes -> {feature: ValueProto} for the requested features of the layout."""
    names = layout.feature_names
    wanted = [(i, n) for i, n in enumerate(names) if requested is None or n in requested]

    def decode(blob: bytes) -> dict[str, ValueProto]:
        values = RepeatedValue.FromString(blob).val
        return {name: values[i] for i, name in wanted}

    return decode


Writer = Callable[[list[Record]], int]  # writes records newer-only, returns how many changed


class PackedOnlineStore(OnlineStore):
    """Feast's write entry points, shared by the packed stores; each store supplies `_writer`."""

    def _writer(self, config: RepoConfig, layout: Layout
                ) -> contextlib.AbstractContextManager[Writer]:
        """A context in which the store writes records of one view (SQLite: one transaction)."""
        raise NotImplementedError

    def delete_entities(self, config: RepoConfig, view: FeatureView, ids: Sequence[str]) -> int:
        """Remove these entities' rows of one view (erasure); returns how many existed."""
        raise NotImplementedError

    def write_table(
        self, config: RepoConfig, view: FeatureView, table: pa.Table,
        progress: Callable[[int], object] | None = None,
    ) -> int:
        """Write one row per entity from an Arrow table; returns how many records changed."""
        layout = layout_of(view)
        source = view.batch_source
        changed = 0
        with self._writer(config, layout) as write:
            for records in prefetched(records_from_arrow(
                    table, layout, source.timestamp_field,
                    source.created_timestamp_column or None)):
                changed += write(records)
                faults.point("publish.batch_written")
                if progress:
                    progress(len(records))
        return changed

    def online_write_batch(
        self,
        config: RepoConfig,
        table: FeatureView,
        data: list[tuple[EntityKeyProto, dict[str, ValueProto], datetime, datetime | None]],
        progress: Callable[[int], object] | None,
    ) -> None:
        """Stock Feast's path (`feast materialize`, `write_to_online_store`)."""
        layout = layout_of(table)
        with self._writer(config, layout) as write:
            write(latest_per_key(records_from_protos(data, layout)))
        if progress:
            progress(len(data))

    def teardown(
        self, config: RepoConfig, tables: Sequence[FeatureView], entities: Sequence[Entity],
    ) -> None:
        self.update(config, tables, [], entities, [], partial=False)
