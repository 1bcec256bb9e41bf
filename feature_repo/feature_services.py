"""Feature services: the exact feature set of each model, versioned by name.

A model version records the service it was trained on (training/models/<model>.yaml names it);
changing a model's features means a new service (`_v2`), never editing one that a trained model
points at.
"""

from feast import FeatureService
from feature_views import (
    customer_marketing,
    customer_profile_features,
    customer_rfm,
    customer_web_engagement,
    lead_engagement,
    lead_firmographics,
)

purchase_propensity_v1 = FeatureService(
    name="purchase_propensity_v1",
    features=[customer_rfm, customer_web_engagement, customer_marketing,
              customer_profile_features],
    description="Purchase propensity: will a customer order in the next 30 days?",
    owner="growth@example.com",
    tags={"model": "purchase_propensity", "version": "1"},
)

lead_scoring_v1 = FeatureService(
    name="lead_scoring_v1",
    features=[lead_firmographics, lead_engagement],
    description="Lead scoring: will an open lead be won within 90 days?",
    owner="sales-ops@example.com",
    tags={"model": "lead_scoring", "version": "1"},
)
