"""Packed SQLite online store: one row per entity per feature view, written a batch at a time.

Drop-in for Feast's `sqlite` store (`type: mfs.featurestore.online.sqlite.PackedSqliteOnlineStore`
in feature_store.yaml): `FeatureStore.get_online_features`, `feast serve` and stock
`feast materialize` work unchanged through `online_read` / `online_write_batch`. `mfs publish`
uses `write_table`, which skips Feast's per-value protos entirely (see encoding.py).

Writes are newer-only (a record replaces the stored one only if its event time, then created time,
is later), so re-publishing a window changes nothing, and each feature view is written in one
transaction: a reader sees the previous vector or the new one, never half of either.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

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

log = logging.getLogger(__name__)
_READ_CHUNK = 5_000  # well below SQLite's bound-parameter limit


class PackedSqliteOnlineStoreConfig(FeastConfigBaseModel):
    type: Literal["mfs.featurestore.online.sqlite.PackedSqliteOnlineStore"] = (
        "mfs.featurestore.online.sqlite.PackedSqliteOnlineStore")
    path: StrictStr = "data/online_store.db"
    """SQLite file; relative paths are relative to the feature repo, like Feast's sqlite store."""


def _db_path(config: RepoConfig) -> Path:
    path = Path(config.online_store.path)
    return path if path.is_absolute() or config.repo_path is None else config.repo_path / path


def table_name(project: str, layout: Layout) -> str:
    return f"{project}__{layout.view}__{layout.id}"


class PackedSqliteOnlineStore(PackedOnlineStore):
    """One connection per thread (feast serve answers from a thread pool); WAL for readers."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _conn(self, config: RepoConfig) -> sqlite3.Connection:
        path = _db_path(config)
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "path", None) != path:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=60, check_same_thread=False)
            conn.execute("pragma journal_mode = wal")
            conn.execute("pragma synchronous = normal")
            self._local.conn, self._local.path = conn, path
        return conn

    # --- writes -------------------------------------------------------------------------------

    def _upsert(self, conn: sqlite3.Connection, table: str, records: list[Record]) -> int:
        before = conn.total_changes
        conn.executemany(
            f'insert into "{table}" (entity_key, event_ts, created_ts, vals) values (?, ?, ?, ?) '
            "on conflict (entity_key) do update set event_ts = excluded.event_ts, "
            "created_ts = excluded.created_ts, vals = excluded.vals "
            f'where (excluded.event_ts, excluded.created_ts) > ("{table}".event_ts, '
            f'"{table}".created_ts)',
            records,
        )
        return conn.total_changes - before

    @contextlib.contextmanager
    def _writer(self, config: RepoConfig, layout: Layout) -> Iterator[Writer]:
        conn = self._conn(config)
        name = table_name(config.project, layout)
        with conn:  # one transaction per view: readers see all of it or none
            self._create(conn, name)
            yield lambda records: self._upsert(conn, name, records)

    def delete_entities(self, config: RepoConfig, view: FeatureView, ids: Sequence[str]) -> int:
        conn = self._conn(config)
        deleted = 0
        with conn:  # every layout of the view, so an outdated table keeps nobody either
            for name in self._tables_of(conn, config.project, view.name):
                before = conn.total_changes
                conn.executemany(f'delete from "{name}" where entity_key = ?',
                                 [(entity_key_text([i]),) for i in ids])
                deleted += conn.total_changes - before
        return deleted

    # --- reads --------------------------------------------------------------------------------

    def online_read(
        self,
        config: RepoConfig,
        table: FeatureView,
        entity_keys: list[EntityKeyProto],
        requested_features: list[str] | None = None,
    ) -> list[tuple[datetime | None, dict[str, ValueProto] | None]]:
        layout = layout_of(table)
        keys = [key_text(k, layout) for k in entity_keys]
        decode = decoder(layout, requested_features)
        conn = self._conn(config)
        name = table_name(config.project, layout)
        found: dict[str, tuple[int, bytes]] = {}
        try:
            for start in range(0, len(keys), _READ_CHUNK):
                chunk = keys[start:start + _READ_CHUNK]
                rows = conn.execute(
                    f'select entity_key, event_ts, vals from "{name}" '
                    f"where entity_key in ({', '.join('?' * len(chunk))})", chunk)
                found.update((key, (ts, vals)) for key, ts, vals in rows)
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            # The view changed since this process loaded it: report not found, never misdecode.
            log.warning("%s: no packed table %s (re-apply or refresh the registry)",
                        table.name, name)
        out: list[tuple[datetime | None, dict[str, ValueProto] | None]] = []
        for key in keys:
            hit = found.get(key)
            out.append((None, None) if hit is None else (from_micros(hit[0]), decode(hit[1])))
        return out

    # --- infrastructure -----------------------------------------------------------------------

    @staticmethod
    def _create(conn: sqlite3.Connection, name: str) -> None:
        conn.execute(
            f'create table if not exists "{name}" (entity_key text primary key, '
            "event_ts integer not null, created_ts integer not null, vals blob not null) "
            "without rowid")

    def _tables_of(self, conn: sqlite3.Connection, project: str, view: str) -> list[str]:
        pattern = f"{project}__{view}__".replace("_", r"\_") + "%"
        rows = conn.execute(r"select name from sqlite_master where type = 'table' "
                            r"and name like ? escape '\'", (pattern,))
        return [r[0] for r in rows]

    def update(
        self,
        config: RepoConfig,
        tables_to_delete: Sequence[FeatureView],
        tables_to_keep: Sequence[FeatureView],
        entities_to_delete: Sequence[Entity],
        entities_to_keep: Sequence[Entity],
        partial: bool,
    ) -> None:
        """Create each kept view's table; drop deleted views and outdated layouts of kept ones."""
        conn = self._conn(config)
        with conn:
            for view in tables_to_keep:
                current = table_name(config.project, layout_of(view))
                for old in self._tables_of(conn, config.project, view.name):
                    if old != current:
                        conn.execute(f'drop table "{old}"')
                self._create(conn, current)
            for view in tables_to_delete:
                for old in self._tables_of(conn, config.project, view.name):
                    conn.execute(f'drop table "{old}"')

