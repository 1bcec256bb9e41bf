"""Entities: who the features describe. Declared in dbt (meta.feast_entity of each mart)."""

from mfs.featurestore.definitions import definitions

_defs = definitions()

customer = _defs.entities["customer"]
lead = _defs.entities["lead"]
