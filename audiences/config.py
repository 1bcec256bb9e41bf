"""Audience definitions: one YAML file per audience in audiences/definitions/, validated strictly.

    name: high_propensity_buyers
    description: Customers most likely to order in the next 30 days.
    owner: growth@example.com
    model: purchase_propensity
    selection: {top_percent: 10}        # or {top_n: 5000} or {min_score: 0.3}
    filters: {countries: [US, GB], lifecycle_stages: [customer], b2b: false,
              ordered_within_days: 365, visited_within_days: 30}
    destinations: [google_ads, meta, linkedin, ga4, crm, generic]
    legal_basis: explicit_consent       # or legitimate_interest (own channels only)
    holdout_percent: 10
    min_size: 100

Filters read the `customer_profile` mart, so they exist for customer models only; a lead
audience goes to the CRM and generic files, which need no contact data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mfs.contract.schema import COUNTRIES, LIFECYCLE_STAGES

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
Destination = Literal["google_ads", "meta", "linkedin", "ga4", "crm", "generic"]
AD_PLATFORMS = ("google_ads", "meta", "linkedin", "ga4")
# The lawful basis for contacting the people of a customer audience (docs/audiences.md):
# explicit_consent exports only people whose latest consent event granted marketing;
# legitimate_interest (an existing customer's "soft opt-in") exports everyone who has not
# opted out, to the company's own channels only: the ad platforms' customer-list terms (Google
# Customer Match with the EU user consent policy, Meta Custom Audiences, LinkedIn Matched
# Audiences) ask for consent to share the data with them.
LegalBasis = Literal["explicit_consent", "legitimate_interest"]
CUSTOMER_MODELS = ("purchase_propensity",)
LEAD_MODELS = ("lead_scoring",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Selection(_Strict):
    """Exactly one rule, applied to the eligible entities ordered by score."""

    top_n: int | None = Field(default=None, gt=0)
    top_percent: float | None = Field(default=None, gt=0, le=100)
    min_score: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        given = [k for k in ("top_n", "top_percent", "min_score") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"selection needs exactly one of top_n, top_percent, min_score; "
                             f"got {given or 'none'}")
        return self

    @property
    def rule(self) -> tuple[str, float]:
        for key in ("top_n", "top_percent", "min_score"):
            value = getattr(self, key)
            if value is not None:
                return key, value
        raise AssertionError("validated: one rule is set")


class Filters(_Strict):
    countries: list[str] | None = None  # ISO-2, as in customer_profile.country_code
    lifecycle_stages: list[str] | None = None
    b2b: bool | None = None
    ordered_within_days: int | None = Field(default=None, gt=0)  # last order at most N days ago
    visited_within_days: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _known_values(self) -> Self:
        """A typo would silently select nobody: values must be ones the data contract allows."""
        for field, allowed in (("countries", COUNTRIES), ("lifecycle_stages", LIFECYCLE_STAGES)):
            unknown = sorted(set(getattr(self, field) or ()) - set(allowed))
            if unknown:
                raise ValueError(f"filters.{field}: unknown {unknown}; the data contract allows "
                                 f"{', '.join(sorted(allowed))}")
        return self

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in self.model_dump().values())


class AudienceConfig(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    description: str
    owner: str
    model: Literal["purchase_propensity", "lead_scoring"]
    selection: Selection
    filters: Filters = Filters()
    destinations: list[Destination] = Field(min_length=1)
    legal_basis: LegalBasis = "explicit_consent"
    holdout_percent: float = Field(default=10, ge=0, lt=100)
    min_size: int = Field(default=1, ge=1)
    salt: str = "v1"  # change it to draw a new control group

    @model_validator(mode="after")
    def _ad_platforms_need_consent(self) -> Self:
        ads = [d for d in self.destinations if d in AD_PLATFORMS]
        if self.legal_basis == "legitimate_interest" and ads:
            raise ValueError(f"legal_basis legitimate_interest covers own channels (crm, "
                             f"generic) only; destinations {ads} need explicit_consent "
                             "(docs/audiences.md, 'Legal basis')")
        return self

    @model_validator(mode="after")
    def _lead_audiences_carry_no_contact_data(self) -> Self:
        if self.model in LEAD_MODELS:
            ads = [d for d in self.destinations if d in AD_PLATFORMS]
            if ads:
                raise ValueError(f"{self.model} scores leads, which have no consented contact "
                                 f"profile: destinations {ads} need one (use crm or generic)")
            if not self.filters.is_empty:
                raise ValueError("filters read customer_profile; a lead audience has none")
        return self


class AudienceConfigError(ValueError):
    """An audience file that is missing or invalid (names the file and the field)."""


def audience_names() -> list[str]:
    return sorted(p.stem for p in DEFINITIONS_DIR.glob("*.yaml"))


def load_audience(name_or_path: str) -> AudienceConfig:
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = DEFINITIONS_DIR / f"{name_or_path.replace('-', '_')}.yaml"
    if not path.exists():
        raise AudienceConfigError(f"unknown audience {name_or_path!r}: no {path}; known: "
                                  f"{', '.join(audience_names())}")
    try:
        raw = yaml.safe_load(path.read_text())
        config = AudienceConfig.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise AudienceConfigError(f"{path}: {exc}") from exc
    if config.name != path.stem:
        raise AudienceConfigError(f"{path}: name {config.name!r} must match the file name")
    return config
