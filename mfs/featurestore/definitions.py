"""Feast objects derived from the feature marts' dbt contract: entities, sources, views.

feature_repo/*.py expose these under their own names (Feast collects module-level objects), so a
reader of the repo sees plain Feast declarations while every field, type, description, TTL and
owner comes from the dbt YAML (through the manifest the last green build exported beside the
parquet files it describes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from feast import Entity, FeatureView, Field, FileSource, ValueType
from feast import types as feast_types
from feast.data_format import ParquetFormat

from mfs import paths
from mfs.build.status import MANIFEST_FILE
from mfs.featurestore.dbt_features import (
    FeatureContractError,
    MartSpec,
    feature_marts,
)

_ENTITY_VALUE_TYPES = {"varchar": ValueType.STRING, "text": ValueType.STRING,
                       "bigint": ValueType.INT64, "integer": ValueType.INT32}


@dataclass(frozen=True)
class Definitions:
    marts: tuple[MartSpec, ...]
    entities: dict[str, Entity]
    sources: dict[str, FileSource]
    views: dict[str, FeatureView]

    def mart_of(self, view: str) -> MartSpec:
        return next(m for m in self.marts if any(v.name == view for v in m.views))


def _entity(mart: MartSpec) -> Entity:
    value_type = _ENTITY_VALUE_TYPES.get(mart.join_key_type)
    if value_type is None:
        raise FeatureContractError(
            f"dbt model {mart.model}: join key {mart.join_key} has data_type "
            f"{mart.join_key_type!r}; expected one of {', '.join(_ENTITY_VALUE_TYPES)}")
    return Entity(name=mart.entity, join_keys=[mart.join_key], value_type=value_type,
                  description=mart.entity_description)


def build_definitions(features_dir: Path, marts: tuple[MartSpec, ...]) -> Definitions:
    entities: dict[str, Entity] = {}
    sources: dict[str, FileSource] = {}
    views: dict[str, FeatureView] = {}
    for mart in marts:
        entity = entities.setdefault(mart.entity, _entity(mart))
        source = FileSource(
            name=f"{mart.model}_source",
            path=str(paths.mart_export(mart.model, features_dir)),
            file_format=ParquetFormat(),
            timestamp_field=mart.timestamp_field,
            created_timestamp_column=mart.created_timestamp_field,
            description=f"dbt mart {mart.model}: {mart.description}",
        )
        sources[source.name] = source
        for view in mart.views:
            views[view.name] = FeatureView(
                name=view.name,
                entities=[entity],
                ttl=view.ttl,
                schema=[Field(name=f.name, dtype=getattr(feast_types, f.feast_dtype),
                              description=f.description,
                              tags={"trend": f.trend} if f.trend else {})
                        for f in view.features],
                source=source,
                online=True,
                description=view.description,
                owner=view.owner,
                tags={"owner": view.owner, "team": view.team, "dbt_model": mart.model},
            )
    return Definitions(marts, entities, sources, views)


@cache
def _marts(manifest: Path, version: int) -> tuple[MartSpec, ...]:
    return feature_marts(manifest)


def definitions() -> Definitions:
    """The definitions for the current `MFS_FEATURES_DIR`.

    The dbt contract is parsed once per manifest version; the Feast objects are new on every
    call, because Feast mutates them (apply stamps them, materialization records intervals)
    and one store's state must never leak into another's.
    """
    features_dir = paths.features_dir().resolve()
    manifest = features_dir / MANIFEST_FILE
    version = manifest.stat().st_mtime_ns if manifest.exists() else 0
    return build_definitions(features_dir, _marts(manifest, version))

