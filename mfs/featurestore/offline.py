"""The offline store type of feature_store.yaml: `mfs.featurestore.offline.AsofDuckDBOfflineStore`.

Feast imports this module for the store's config class whenever it opens a store, also to
publish or to serve online, where no offline query runs. The implementation (offline_asof.py)
pulls in Feast's DuckDB offline store and ibis, ~0.4 s of imports, so it is loaded on first use
of the class only (module `__getattr__`, PEP 562).
"""

from __future__ import annotations

from typing import Any, Literal

from feast.repo_config import FeastConfigBaseModel


class AsofDuckDBOfflineStoreConfig(FeastConfigBaseModel):
    type: Literal["mfs.featurestore.offline.AsofDuckDBOfflineStore"] = (
        "mfs.featurestore.offline.AsofDuckDBOfflineStore")
    staging_location: str | None = None
    staging_location_endpoint_override: str | None = None


def __getattr__(name: str) -> Any:
    if name == "AsofDuckDBOfflineStore":
        from mfs.featurestore.offline_asof import AsofDuckDBOfflineStore

        return AsofDuckDBOfflineStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
