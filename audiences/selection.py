"""Who is in an audience: scores joined to the profile, filtered, cleared for consent and
suppression, selected by the audience's rule, and split into treatment and a stable holdout.

The order is fixed and every person removed is counted under one reason, so the counts add
up: scored = filtered_out + excluded (by reason) + eligible; eligible >= selected; selected =
holdout + treatment. Exclusion reasons, first that applies:

- `erased`: the person asked to be forgotten (`mfs forget`); the sweep removes their scores,
  this is the last line of defence for scores written before the request;
- `not_in_profile`: scored, but the CRM no longer has the contact;
- `suppressed`: on a suppression list (ids, emails, or SHA-256 of normalised emails);
- `no_marketing_consent` (legal basis `explicit_consent`, the default): the latest consent
  event did not grant marketing, or none exists;
- `opted_out` (legal basis `legitimate_interest`): the latest consent event withdrew marketing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from audiences.config import LEAD_MODELS, AudienceConfig
from audiences.normalize import email_basic, sha256_hex
from mfs.privacy.register import Erasures
from serving.batch import SCORES_TABLE

EXCLUSION_REASONS = ("erased", "not_in_profile", "suppressed", "no_marketing_consent",
                     "opted_out")


class AudienceError(ValueError):
    """An audience that cannot be exported as defined (names what is missing)."""


@dataclass
class Suppression:
    ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)  # normalised (trim + lower-case)
    email_hashes: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)

    @classmethod
    def from_files(cls, files: list[Path]) -> Suppression:
        """One entry a line: an entity id, an email, or a SHA-256 hex of a normalised email
        (blank lines and `#` comments ignored; a CSV's first column is read)."""
        out = cls()
        for path in files:
            if not path.is_file():
                raise AudienceError(f"suppression list {path}: no such file")
            out.sources.append(str(path))
            for line in path.read_text(encoding="utf-8").splitlines():
                entry = line.split(",", 1)[0].strip().strip('"')
                if not entry or entry.startswith("#"):
                    continue
                if "@" in entry:
                    normalised = email_basic(entry)
                    if normalised:
                        out.emails.add(normalised)
                elif len(entry) == 64 and all(c in "0123456789abcdefABCDEF" for c in entry):
                    out.email_hashes.add(entry.lower())
                else:
                    out.ids.add(entry)
        return out

    def matches(self, entity_id: str, email: object) -> bool:
        if entity_id in self.ids:
            return True
        normalised = email_basic(email)
        return normalised is not None and (normalised in self.emails
                                           or sha256_hex(normalised) in self.email_hashes)


@dataclass
class Selected:
    frame: pd.DataFrame  # every scored entity, with `status`, `selected` and `group`
    counts: dict[str, object]
    score_threshold: float | None  # the lowest selected score


def read_candidates(warehouse: Path, config: AudienceConfig) -> pd.DataFrame:
    """The model's current scores, with the profile and GA4 client id for customer models."""
    if not warehouse.exists():
        raise AudienceError(f"{warehouse}: no warehouse; run `mfs build`")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables"
                                            ).fetchall()}
        if SCORES_TABLE not in tables:
            raise AudienceError(f"{warehouse} has no `scores` table; run `mfs score "
                                f"{config.model}`")
        if config.model in LEAD_MODELS:
            query = f"select *, true as in_profile from {SCORES_TABLE} where model = ?"
        else:
            query = f"""
                with clients as (
                    select customer_id, arg_max(anonymous_id, linked_at) as ga4_client_id
                    from int_anonymous_ids_linked_to_customers group by customer_id
                )
                select s.*, p.*, c.ga4_client_id, p.customer_id is not null as in_profile
                from {SCORES_TABLE} as s
                left join customer_profile as p on p.customer_id = s.entity_id
                left join clients as c on c.customer_id = s.entity_id
                where s.model = ?"""
        frame = con.execute(query, [config.model]).df()
    if frame.empty:
        raise AudienceError(f"no scores for {config.model} in {warehouse}; run `mfs score "
                            f"{config.model}`")
    return frame


def _passes_filters(frame: pd.DataFrame, config: AudienceConfig, now: datetime) -> pd.Series:
    f = config.filters
    keep = pd.Series(True, index=frame.index)
    if f.is_empty:
        return keep
    keep &= frame["in_profile"].astype(bool)  # unknown attributes cannot pass a filter
    if f.countries is not None:
        keep &= frame["country_code"].isin(f.countries)
    if f.lifecycle_stages is not None:
        keep &= frame["lifecycle_stage"].isin(f.lifecycle_stages)
    if f.b2b is not None:
        keep &= frame["is_b2b"].fillna(False).astype(bool) == f.b2b
    if f.ordered_within_days is not None:
        keep &= frame["last_order_at"] >= pd.Timestamp(now - timedelta(f.ordered_within_days))
    if f.visited_within_days is not None:
        keep &= frame["last_visit_at"] >= pd.Timestamp(now - timedelta(f.visited_within_days))
    return keep


def holdout_draw(audience: str, entity_id: str, salt: str) -> float:
    """A stable uniform draw in [0, 1) from (audience, id, salt): the same person stays in the
    same group on every run until the salt changes."""
    digest = hashlib.sha256(f"{audience}|{entity_id}|{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def select(frame: pd.DataFrame, config: AudienceConfig, suppression: Suppression,
           now: datetime, erasures: Erasures | None = None) -> Selected:
    if (config.model not in LEAD_MODELS and config.legal_basis == "explicit_consent"
            and frame["consent_updated_at"].isna().all()):
        raise AudienceError(
            f"{config.name}: no consent data (crm_consent_events is absent or empty), so nobody "
            "has explicit consent; add crm_consent_events to the export, or for own channels "
            "(crm, generic) set `legal_basis: legitimate_interest` in its definition "
            "(docs/audiences.md, 'Legal basis')")
    frame = frame.copy()
    erasures = erasures or Erasures(frozenset(), frozenset())
    passes = _passes_filters(frame, config, now)
    emails = frame.get("email_normalized", pd.Series(None, index=frame.index))
    suppressed = pd.Series([suppression.matches(entity_id, email) for entity_id, email
                            in zip(frame["entity_id"], emails, strict=True)],
                           index=frame.index, dtype=bool)
    # One status a row, first that applies, so every count is a partition of the scored rows.
    status = pd.Series("eligible", index=frame.index, dtype=object)
    status[~frame["in_profile"].astype(bool)] = "not_in_profile"
    erased = [erasures.matches(entity_id, email) for entity_id, email
              in zip(frame["entity_id"], emails, strict=True)]
    status[pd.Series(erased, index=frame.index, dtype=bool)] = "erased"
    status[(status == "eligible") & ~passes] = "filtered_out"
    status[(status == "eligible") & suppressed] = "suppressed"
    if config.model not in LEAD_MODELS and config.legal_basis == "explicit_consent":
        consent = frame["has_marketing_consent"].fillna(False).astype(bool)
        status[(status == "eligible") & ~consent] = "no_marketing_consent"
    elif config.model not in LEAD_MODELS:
        opted_out = frame["has_opted_out_of_marketing"].fillna(False).astype(bool)
        status[(status == "eligible") & opted_out] = "opted_out"
    frame["status"] = status

    eligible = frame[frame["status"] == "eligible"].sort_values(
        ["score", "entity_id"], ascending=[False, True])
    rule, value = config.selection.rule
    if rule == "top_n":
        chosen = eligible.head(int(value))
    elif rule == "top_percent":
        chosen = eligible.head(int(np.ceil(len(eligible) * value / 100)))
    else:
        chosen = eligible[eligible["score"] >= value]
    frame["selected"] = frame.index.isin(chosen.index)
    draws = frame["entity_id"].map(lambda e: holdout_draw(config.name, e, config.salt))
    frame["group"] = np.where(~frame["selected"], None,
                              np.where(draws < config.holdout_percent / 100, "control",
                                       "treatment"))
    counts: dict[str, object] = {
        "scored": len(frame),
        "filtered_out": int((frame["status"] == "filtered_out").sum()),
        "excluded": {reason: int((frame["status"] == reason).sum())
                     for reason in EXCLUSION_REASONS},
        "eligible": len(eligible),
        "selected": int(frame["selected"].sum()),
        "holdout": int((frame["group"] == "control").sum()),
        "treatment": int((frame["group"] == "treatment").sum()),
    }
    threshold = float(chosen["score"].min()) if len(chosen) else None
    return Selected(frame, counts, threshold)
