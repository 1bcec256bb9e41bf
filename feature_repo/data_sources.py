"""Data sources: the parquet marts that `mfs build` exports (data/features/*.parquet)."""

from mfs.featurestore.definitions import definitions

_defs = definitions()

customer_features_source = _defs.sources["customer_features_source"]
lead_features_source = _defs.sources["lead_features_source"]
