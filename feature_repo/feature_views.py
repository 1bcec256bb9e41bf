"""Feature views. Fields, types, descriptions, TTLs and owners come from the dbt YAML of the
feature marts (dbt_project/models/marts/features/_features__models.yml); a test fails if this
list and the dbt contract disagree (tests/featurestore/test_definitions.py)."""

from mfs.featurestore.definitions import definitions

_defs = definitions()

customer_rfm = _defs.views["customer_rfm"]
customer_web_engagement = _defs.views["customer_web_engagement"]
customer_marketing = _defs.views["customer_marketing"]
customer_profile_features = _defs.views["customer_profile_features"]

lead_firmographics = _defs.views["lead_firmographics"]
lead_engagement = _defs.views["lead_engagement"]
