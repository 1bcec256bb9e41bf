"""Packed Redis online store: one string key per entity per feature view, newer-only writes.

Key: `mfs:{project}:{view}:{layout id}:{entity key}`. Value: 16 digits of event time and 16 of
created time (UTC microseconds, zero-padded) followed by the serialized `RepeatedValue`. A Lua
script compares the timestamps server-side for a whole batch of keys, so a publish costs one
round trip per few thousand entities instead of one `HSET` per entity x feature, and a stale
writer can never overwrite a newer vector. Each key is written whole by one SET: a reader sees
the previous vector or the new one. `mfs:{project}:layouts` remembers each view's layout id, so
`feast apply` only scans for old keys when a view's layout really changed.

The batch script touches many keys at once: on Redis Cluster, batches would have to be grouped by
hash slot (docs/scaling.md); a single primary is what we run and test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Literal

import numpy as np
import redis
from feast import Entity, FeatureView
from feast.protos.feast.types.EntityKey_pb2 import EntityKey as EntityKeyProto
from feast.protos.feast.types.Value_pb2 import Value as ValueProto
from feast.repo_config import FeastConfigBaseModel, RepoConfig
from pydantic import StrictStr

from mfs.featurestore.encoding import entity_key_text
from mfs.featurestore.online.packed import (
    Layout,
    PackedOnlineStore,
    Record,
    Writer,
    decoder,
    from_micros,
    key_text,
    layout_of,
)

_SCRIPT_BATCH = 2_000  # keys per script call
_NEWER_ONLY = """
local written = 0
for i, key in ipairs(KEYS) do
  local new = ARGV[i]
  local old = redis.call('GET', key)
  local write = true
  if old then
    local ne, oe = tonumber(string.sub(new, 1, 16)), tonumber(string.sub(old, 1, 16))
    if ne < oe then
      write = false
    elseif ne == oe then
      write = tonumber(string.sub(new, 17, 32)) > tonumber(string.sub(old, 17, 32))
    end
  end
  if write then
    redis.call('SET', key, new)
    written = written + 1
  end
end
return written
"""


class PackedRedisOnlineStoreConfig(FeastConfigBaseModel):
    type: Literal["mfs.featurestore.online.redis.PackedRedisOnlineStore"] = (
        "mfs.featurestore.online.redis.PackedRedisOnlineStore")
    url: StrictStr = "redis://127.0.0.1:6379/0"
    """A redis-py URL (redis://[:password@]host:port/db); put secrets in ${ENV_VARS}."""


def key_prefix(project: str, layout: Layout) -> str:
    return f"mfs:{project}:{layout.view}:{layout.id}:"


def _header(events: Sequence[int], created: Sequence[int]) -> list[bytes]:
    """32 ASCII digits per record: event then created time, zero-padded microseconds."""
    both = np.column_stack([np.asarray(events, dtype=np.int64),
                            np.asarray(created, dtype=np.int64)])
    digits = np.empty((len(both), 32), dtype=np.uint8)
    for col in range(2):
        values = both[:, col].copy()
        for pos in range(15, -1, -1):
            digits[:, col * 16 + pos] = ord("0") + values % 10
            values //= 10
    return [row.tobytes() for row in digits]


class PackedRedisOnlineStore(PackedOnlineStore):
    def __init__(self) -> None:
        self._client: redis.Redis | None = None
        self._url: str | None = None

    def _redis(self, config: RepoConfig) -> redis.Redis:
        url = config.online_store.url
        if self._client is None or self._url != url:
            self._client, self._url = redis.Redis.from_url(url), url
        return self._client

    # --- writes -------------------------------------------------------------------------------

    def _write(self, client: redis.Redis, prefix: str, records: list[Record]) -> int:
        script = client.register_script(_NEWER_ONLY)
        headers = _header([r[1] for r in records], [r[2] for r in records])
        pipe = client.pipeline(transaction=False)
        for start in range(0, len(records), _SCRIPT_BATCH):
            chunk = records[start:start + _SCRIPT_BATCH]
            script(keys=[prefix + r[0] for r in chunk],
                   args=[h + r[3] for h, r in zip(headers[start:start + _SCRIPT_BATCH], chunk,
                                                  strict=True)],
                   client=pipe)
        return int(sum(pipe.execute()))

    @contextlib.contextmanager
    def _writer(self, config: RepoConfig, layout: Layout) -> Iterator[Writer]:
        client = self._redis(config)
        prefix = key_prefix(config.project, layout)
        yield lambda records: self._write(client, prefix, records)

    def delete_entities(self, config: RepoConfig, view: FeatureView, ids: Sequence[str]) -> int:
        if not ids:
            return 0
        prefix = key_prefix(config.project, layout_of(view))
        return int(self._redis(config).delete(*(prefix + entity_key_text([i]) for i in ids)))

    # --- reads --------------------------------------------------------------------------------

    def online_read(
        self,
        config: RepoConfig,
        table: FeatureView,
        entity_keys: list[EntityKeyProto],
        requested_features: list[str] | None = None,
    ) -> list[tuple[datetime | None, dict[str, ValueProto] | None]]:
        layout = layout_of(table)
        prefix = key_prefix(config.project, layout)
        decode = decoder(layout, requested_features)
        keys = [prefix + key_text(k, layout) for k in entity_keys]
        values = self._redis(config).mget(keys) if keys else []
        return [(None, None) if v is None else (from_micros(int(v[:16])), decode(v[32:]))
                for v in values]

    # --- infrastructure -----------------------------------------------------------------------

    def _delete_prefix(self, client: redis.Redis, pattern: str) -> None:
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=10_000):
            batch.append(key)
            if len(batch) >= 10_000:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)

    def update(
        self,
        config: RepoConfig,
        tables_to_delete: Sequence[FeatureView],
        tables_to_keep: Sequence[FeatureView],
        entities_to_delete: Sequence[Entity],
        entities_to_keep: Sequence[Entity],
        partial: bool,
    ) -> None:
        """Forget deleted views and keys of outdated layouts (scans only when a layout changed)."""
        client = self._redis(config)
        layouts = f"mfs:{config.project}:layouts"
        known = {k.decode(): v.decode() for k, v in client.hgetall(layouts).items()}
        for view in tables_to_keep:
            layout_id = layout_of(view).id
            if known.get(view.name) not in (None, layout_id):
                self._delete_prefix(client, f"mfs:{config.project}:{view.name}:*")
            client.hset(layouts, view.name, layout_id)
        for view in tables_to_delete:
            self._delete_prefix(client, f"mfs:{config.project}:{view.name}:*")
            client.hdel(layouts, view.name)

