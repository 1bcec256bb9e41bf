"""Each destination's file format, on a few hand-made people."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from audiences import destinations as d
from audiences import normalize as n
from audiences.config import load_audience
from mfs.parquet import read_frame

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def people(count: int = 2) -> pd.DataFrame:
    rows = [{
        "entity_id": f"C{i:08d}", "email_normalized": f" Jane.Doe+{i}@GMail.com ",
        "phone_e164": "+1 650 555 1212", "first_name": "Zoë", "last_name": "O'Brien",
        "city": "San Francisco", "region": "CA", "postal_code": "94105-1234",
        "country_code": "US", "score": 0.5, "decile": 1, "model_version": 3,
        "scored_at": NOW, "ga4_client_id": f"123.{i}",
        "last_visit_at": NOW - timedelta(hours=1 if i % 2 == 0 else 100),
    } for i in range(count)]
    rows.append({**rows[0], "entity_id": "NOCONTACT", "email_normalized": None,
                 "phone_e164": "not a phone", "first_name": None})
    return pd.DataFrame(rows)


def context() -> d.Context:
    return d.Context(load_audience("high_propensity_buyers"), NOW, "customer_id")


def test_google_ads_uses_the_template_headers_and_hashes_contact_fields(tmp_path: Path) -> None:
    rows = d.google_ads(people(), context())
    assert list(rows["entity_id"]) == ["C00000000", "C00000001"]  # NOCONTACT has nothing
    (path,) = d.write("google_ads", rows, tmp_path)
    lines = path.read_text().splitlines()
    assert lines[0] == "Email,Phone,First Name,Last Name,Country,Zip"
    email, phone, first, last, country, zip_code = lines[1].split(",")
    assert email == n.sha256_hex("janedoe@gmail.com")
    assert phone == n.sha256_hex("+16505551212")
    assert first == n.sha256_hex("zoë")
    assert last == n.sha256_hex("o'brien")
    assert (country, zip_code) == ("US", "94105-1234")


def test_meta_csv_and_payload_batches(tmp_path: Path) -> None:
    crowd = pd.concat([people(2)] * 5001, ignore_index=True)  # 10,002 matchable rows
    rows = d.meta(crowd, context())
    csv, payloads = d.write("meta", rows, tmp_path)
    assert csv.read_text().splitlines()[0] == "EMAIL,PHONE,FN,LN,CT,ST,ZIP,COUNTRY"
    batches = [json.loads(line) for line in payloads.read_text().splitlines()]
    assert [len(b["data"]) for b in batches] == [10_000, 2]
    first = dict(zip(batches[0]["schema"], batches[0]["data"][0], strict=True))
    assert first["EMAIL"] == n.sha256_hex("jane.doe+0@gmail.com")  # Meta keeps gmail dots
    assert first["PHONE"] == n.sha256_hex("16505551212")
    assert first["FN"] == n.sha256_hex("zoë")
    assert first["LN"] == n.sha256_hex("obrien")
    assert first["CT"] == n.sha256_hex("sanfrancisco")
    assert first["ZIP"] == n.sha256_hex("94105")
    assert first["COUNTRY"] == n.sha256_hex("us")


def test_linkedin_keeps_its_template_headers_with_only_hashed_email(tmp_path: Path) -> None:
    (path,) = d.write("linkedin", d.linkedin(people(), context()), tmp_path)
    header, first = path.read_text().splitlines()[:2]
    assert header == "email,firstname,lastname,jobtitle,employeecompany,country,googleaid"
    assert first == f"{n.sha256_hex('jane.doe+0@gmail.com')},,,,,US,"


def test_ga4_sends_only_people_active_in_the_last_72_hours(tmp_path: Path) -> None:
    (path,) = d.write("ga4", d.ga4(people(4), context()), tmp_path)
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert [e["user_id"] for e in events] == ["C00000000", "C00000002", "NOCONTACT"]
    event = events[0]
    assert event["client_id"] == "123.0"
    assert event["timestamp_micros"] == int(NOW.timestamp() * 1_000_000)
    assert len(str(event["timestamp_micros"])) == 16
    assert event["consent"] == {"ad_user_data": "GRANTED", "ad_personalization": "GRANTED"}
    assert event["user_properties"]["purchase_propensity_score"] == {"value": 0.5}
    assert event["user_properties"]["purchase_propensity_decile"] == {"value": 1}


def test_crm_and_generic_carry_ids_and_scores(tmp_path: Path) -> None:
    (crm,) = d.write("crm", d.crm(people(), context()), tmp_path)
    assert crm.read_text().splitlines()[0] == (
        "customer_id,score,decile,model_version,scored_at")
    csv, parquet = d.write("generic", d.generic(people(), context()), tmp_path)
    assert csv.read_text().splitlines()[0] == "id,score,decile,model_version"
    assert list(read_frame(parquet).columns) == ["id", "score", "decile", "model_version"]
