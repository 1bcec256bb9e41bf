"""Data sources: the marts that `mfs build` exports (data/features/<mart>/: a parquet file per
snapshot)."""

from mfs.featurestore.definitions import definitions

_defs = definitions()

customer_features_source = _defs.sources["customer_features_source"]
lead_features_source = _defs.sources["lead_features_source"]
