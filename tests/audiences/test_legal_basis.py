"""An audience states its legal basis: explicit consent (the default) or legitimate interest for
own channels; with no consent data at all, explicit consent stops with the way out."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from pydantic import ValidationError

from audiences.config import AudienceConfig, load_audience
from audiences.selection import AudienceError, Suppression, select

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
CONSENT = {"granted": (True, False, NOW), "withdrawn": (False, True, NOW),
           "no record": (False, False, None)}


def own_channels(**update: object) -> AudienceConfig:
    base = load_audience("high_propensity_buyers")
    return base.model_copy(update={
        "selection": base.selection.model_copy(update={"top_percent": 100.0}),
        "filters": base.filters.model_copy(update={"lifecycle_stages": None}),
        "destinations": ["crm", "generic"], "holdout_percent": 0, **update})


def scored(consent: list[str]) -> pd.DataFrame:
    rows = []
    for i, kind in enumerate(consent):
        granted, opted_out, updated = CONSENT[kind]
        rows.append({"entity_id": f"C{i:03d}", "score": 1 - i / 100, "in_profile": True,
                     "email_normalized": f"p{i}@example.com", "lifecycle_stage": "customer",
                     "has_marketing_consent": granted, "has_opted_out_of_marketing": opted_out,
                     "consent_updated_at": updated, "last_order_at": NOW, "last_visit_at": NOW,
                     "country_code": "US", "is_b2b": False})
    return pd.DataFrame(rows)


def statuses(config: AudienceConfig, frame: pd.DataFrame) -> list[str]:
    return list(select(frame, config, Suppression(), NOW).frame["status"])


def test_explicit_consent_exports_only_granted_people() -> None:
    frame = scored(["granted", "withdrawn", "no record"])
    assert statuses(own_channels(), frame) == ["eligible", "no_marketing_consent",
                                               "no_marketing_consent"]


def test_legitimate_interest_leaves_out_only_who_opted_out() -> None:
    frame = scored(["granted", "withdrawn", "no record"])
    config = own_channels(legal_basis="legitimate_interest")
    assert statuses(config, frame) == ["eligible", "opted_out", "eligible"]
    counts = select(frame, config, Suppression(), NOW).counts
    assert counts["excluded"]["opted_out"] == 1
    assert counts["eligible"] == 2


def test_without_any_consent_data_explicit_consent_says_what_to_do() -> None:
    frame = scored(["no record", "no record"])
    with pytest.raises(AudienceError, match=r"no consent data \(crm_consent_events is absent "
                       r"or empty\).*legal_basis: legitimate_interest"):
        select(frame, own_channels(), Suppression(), NOW)
    assert statuses(own_channels(legal_basis="legitimate_interest"), frame) == ["eligible"] * 2


def test_ad_platforms_need_explicit_consent() -> None:
    with pytest.raises(ValidationError, match=r"destinations \['google_ads'\] need "
                       "explicit_consent"):
        own_channels().model_validate({**own_channels().model_dump(),
                                       "legal_basis": "legitimate_interest",
                                       "destinations": ["google_ads", "crm"]})
