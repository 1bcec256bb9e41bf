"""A model's features for a few entities, read from the online store as fast as it can answer.

Feast's `get_online_features` spends milliseconds per call validating entity rows, inferring
types and building its response, which alone would exceed a 3 ms scoring budget. The reader calls
the same `online_read` that Feast calls, on the same online store (packed SQLite or Redis), once
per feature view of the service, and turns the values into plain Python values.

What "current" means online: the online store holds each entity's newest row up to the end of
the last publish. The reader applies each view's TTL relative to that end (the service's
`as_of`), exactly as a point-in-time lookup at `as_of` would: a row older than the TTL yields
missing values. So an online vector equals Feast's historical vector at `as_of`, which is what
batch scoring reads (serving/batch.py) and what a test proves for every entity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from feast import FeatureStore, FeatureView
from feast.protos.feast.types.EntityKey_pb2 import EntityKey as EntityKeyProto
from feast.protos.feast.types.Value_pb2 import Value as ValueProto

from training.datasets import join_key_of


class NotPublishedError(RuntimeError):
    """The service's views were never materialized: there is nothing to serve."""


@dataclass(frozen=True)
class ViewRead:
    view: FeatureView
    features: tuple[str, ...]  # the service's features of this view
    ttl: timedelta | None
    published_end: datetime


@dataclass
class OnlineRows:
    """Per requested id, in request order."""

    values: list[dict[str, object]]  # feature -> value (None: missing)
    timestamps: list[dict[str, datetime | None]]  # view -> event time of the row used
    found: list[bool]  # the online store holds at least one row for the entity


def _scalar(value: ValueProto) -> object:
    which = value.WhichOneof("val")
    return getattr(value, which) if which else None


def published_end(view: FeatureView) -> datetime | None:
    """Where the last materialization of the view ended, per the registry."""
    ends = [end for _, end in view.materialization_intervals]
    if not ends:
        return None
    end = max(ends)
    return end if end.tzinfo else end.replace(tzinfo=UTC)


def service_views(store: FeatureStore, service_name: str) -> list[ViewRead]:
    service = store.get_feature_service(service_name)
    reads = []
    for projection in service.feature_view_projections:
        view = store.get_feature_view(projection.name)
        end = published_end(view)
        if end is None:
            raise NotPublishedError(f"feature view {view.name} (service {service_name}) has "
                                    "never been published; run `mfs publish`")
        reads.append(ViewRead(view, tuple(f.name for f in projection.features),
                              view.ttl if view.ttl else None, end))
    return reads


def published_as_of(views: list[ViewRead]) -> datetime:
    """The moment a service's online features describe: the newest end of its views' last
    publish. All views of a service come from one mart and are published to the same snapshot;
    if one lags, its rows are still judged against this time (stale reads as missing)."""
    return max(v.published_end for v in views)


class OnlineFeatureReader:
    def __init__(self, store: FeatureStore, service_name: str) -> None:
        self.service_name = service_name
        self.join_key = join_key_of(store, store.get_feature_service(service_name))
        self.views = service_views(store, service_name)
        self.as_of = published_as_of(self.views)
        self._config = store.config
        self._online_store = store._get_provider().online_store  # what Feast itself reads with

    def entity_key(self, entity_id: str) -> EntityKeyProto:
        return EntityKeyProto(join_keys=[self.join_key],
                              entity_values=[ValueProto(string_val=entity_id)])

    def read(self, ids: Sequence[str]) -> OnlineRows:
        keys = [self.entity_key(i) for i in ids]
        values: list[dict[str, object]] = [{} for _ in ids]
        timestamps: list[dict[str, datetime | None]] = [{} for _ in ids]
        found = [False] * len(ids)
        for read in self.views:
            oldest = self.as_of - read.ttl if read.ttl else None
            rows = self._online_store.online_read(self._config, read.view, keys,
                                                  list(read.features))
            for i, (event_ts, features) in enumerate(rows):
                if features is None or event_ts is None:
                    timestamps[i][read.view.name] = None
                    values[i].update(dict.fromkeys(read.features))
                    continue
                found[i] = True
                if event_ts.tzinfo is None:
                    event_ts = event_ts.replace(tzinfo=UTC)
                if oldest is not None and event_ts < oldest:  # past the TTL: missing
                    timestamps[i][read.view.name] = None
                    values[i].update(dict.fromkeys(read.features))
                    continue
                timestamps[i][read.view.name] = event_ts
                values[i].update({name: _scalar(features[name]) if name in features else None
                                  for name in read.features})
        return OnlineRows(values, timestamps, found)
