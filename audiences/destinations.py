"""One function per destination: the treatment group's rows in the destination's own format.

Each returns a frame whose first column is `entity_id` (kept in the export's internal folder for
delta files, never shipped to an ad platform) followed by the destination's columns. A person
with nothing the destination can match on is left out and counted as `no_identifier`. No
plaintext email, phone or name is ever written to an ad-platform file: those fields are hashed
(SHA-256 hex) after each platform's normalisation (audiences/normalize.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from audiences import normalize as n
from audiences.config import AudienceConfig

LINKEDIN_MIN_ROWS = 300  # LinkedIn refuses smaller contact lists
META_BATCH_ROWS = 10_000  # the Marketing API's limit per request
GA4_ACTIVE_HOURS = 72  # Measurement Protocol: events at most 72 hours in the past


@dataclass(frozen=True)
class Context:
    config: AudienceConfig
    now: datetime
    entity_key: str  # customer_id or lead_id


def _build(frame: pd.DataFrame, columns: dict[str, Callable[[pd.Series], object]],
           required_any: list[list[str]]) -> pd.DataFrame:
    """Rows of `columns` computed per person; kept if every column of one `required_any` group
    is present."""
    records = []
    for _, person in frame.iterrows():
        row = {"entity_id": person["entity_id"]}
        row.update({name: make(person) for name, make in columns.items()})
        if any(all(row[c] for c in group) for group in required_any):
            records.append(row)
    return pd.DataFrame(records, columns=["entity_id", *columns])


def google_ads(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Customer Match upload template: Email, Phone, First Name, Last Name hashed; Country and
    Zip in the clear (as Google requires)."""
    return _build(frame, {
        "Email": lambda p: n.sha256_hex(n.email_google(p["email_normalized"])),
        "Phone": lambda p: n.sha256_hex(n.phone_e164(p["phone_e164"], p["country_code"])),
        "First Name": lambda p: n.sha256_hex(n.name_google(p["first_name"])),
        "Last Name": lambda p: n.sha256_hex(n.name_google(p["last_name"])),
        "Country": lambda p: n.country_upper(p["country_code"]),
        "Zip": lambda p: n.zip_google(p["postal_code"]),
    }, required_any=[["Email"], ["Phone"], ["First Name", "Last Name", "Country", "Zip"]])


META_SCHEMA = ["EMAIL", "PHONE", "FN", "LN", "CT", "ST", "ZIP", "COUNTRY"]


def meta(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Custom Audiences: every key normalised per Meta's rules, then SHA-256."""
    return _build(frame, {
        "EMAIL": lambda p: n.sha256_hex(n.email_basic(p["email_normalized"])),
        "PHONE": lambda p: n.sha256_hex(n.phone_meta(p["phone_e164"], p["country_code"])),
        "FN": lambda p: n.sha256_hex(n.name_meta(p["first_name"])),
        "LN": lambda p: n.sha256_hex(n.name_meta(p["last_name"])),
        "CT": lambda p: n.sha256_hex(n.city_meta(p["city"])),
        "ST": lambda p: n.sha256_hex(n.region_meta(p["region"])),
        "ZIP": lambda p: n.sha256_hex(n.zip_meta(p["postal_code"], p["country_code"])),
        "COUNTRY": lambda p: n.sha256_hex(n.country_lower(p["country_code"])),
    }, required_any=[["EMAIL"], ["PHONE"]])


def linkedin(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Matched Audiences contact list, with the template's headers unchanged (LinkedIn rejects
    a changed header row): SHA-256 of the trimmed, lower-cased email and the ISO-2 country.
    LinkedIn matches names, titles and companies only in the clear, so those stay empty."""
    return _build(frame, {
        "email": lambda p: n.sha256_hex(n.email_basic(p["email_normalized"])),
        "firstname": lambda p: None, "lastname": lambda p: None,
        "jobtitle": lambda p: None, "employeecompany": lambda p: None,
        "country": lambda p: n.country_upper(p["country_code"]),
        "googleaid": lambda p: None,
    }, required_any=[["email"]])


def ga4(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Measurement Protocol events, one per person active in the last 72 hours with a known
    GA4 client id: the score and decile as user properties, consent granted (only consented
    people reach an export)."""
    active_since = pd.Timestamp(ctx.now - timedelta(hours=GA4_ACTIVE_HOURS))
    model, micros = ctx.config.model, int(ctx.now.timestamp() * 1_000_000)
    records = []
    for _, p in frame.iterrows():
        client_id = p.get("ga4_client_id")
        last_visit = p.get("last_visit_at")
        if not client_id or pd.isna(last_visit) or last_visit < active_since:
            continue
        event = {
            "client_id": client_id, "user_id": p["entity_id"], "timestamp_micros": micros,
            "consent": {"ad_user_data": "GRANTED", "ad_personalization": "GRANTED"},
            "user_properties": {f"{model}_score": {"value": round(float(p["score"]), 6)},
                                f"{model}_decile": {"value": int(p["decile"])}},
            "events": [{"name": "audience_membership",
                        "params": {"audience": ctx.config.name,
                                   "model_version": int(p["model_version"])}}],
        }
        records.append({"entity_id": p["entity_id"], "event": json.dumps(event)})
    return pd.DataFrame(records, columns=["entity_id", "event"])


def crm(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """CRM import: the record id, score, decile, model version and when it was scored."""
    out = pd.DataFrame({"entity_id": frame["entity_id"], ctx.entity_key: frame["entity_id"],
                        "score": frame["score"].round(6), "decile": frame["decile"],
                        "model_version": frame["model_version"],
                        "scored_at": frame["scored_at"]})
    return out.reset_index(drop=True)


def generic(frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Ids and scores for email tools and anything else."""
    out = pd.DataFrame({"entity_id": frame["entity_id"], "id": frame["entity_id"],
                        "score": frame["score"].round(6), "decile": frame["decile"],
                        "model_version": frame["model_version"]})
    return out.reset_index(drop=True)


BUILDERS: dict[str, Callable[[pd.DataFrame, Context], pd.DataFrame]] = {
    "google_ads": google_ads, "meta": meta, "linkedin": linkedin, "ga4": ga4, "crm": crm,
    "generic": generic,
}
FILE_STEMS = {"google_ads": "google_ads_customer_match", "meta": "meta_custom_audience",
              "linkedin": "linkedin_matched_audience", "ga4": "ga4_measurement_protocol",
              "crm": "crm_scores", "generic": "scores"}


def write(destination: str, rows: pd.DataFrame, folder: Path, suffix: str = "") -> list[Path]:
    """The shipped files of one destination (`suffix`: `.adds`, `.removes` for delta files)."""
    stem = f"{FILE_STEMS[destination]}{suffix}"
    shipped = rows.drop(columns="entity_id")
    if destination == "ga4":
        path = folder / f"{stem}.jsonl"
        path.write_text("".join(f"{e}\n" for e in shipped["event"]))
        return [path]
    csv = folder / f"{stem}.csv"
    shipped.to_csv(csv, index=False)
    paths = [csv]
    if destination == "meta":
        payloads = folder / f"{stem}.payloads.jsonl"
        with payloads.open("w") as out:
            values = shipped[META_SCHEMA].fillna("").to_numpy().tolist()
            for start in range(0, len(values), META_BATCH_ROWS):
                out.write(json.dumps({"schema": META_SCHEMA,
                                      "data": values[start:start + META_BATCH_ROWS]}) + "\n")
        paths.append(payloads)
    if destination == "generic":
        parquet = folder / f"{stem}.parquet"
        shipped.to_parquet(parquet, index=False)
        paths.append(parquet)
    return paths
