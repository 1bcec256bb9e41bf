"""Audience exports over the whole generated data set: nobody without consent or suppressed is
ever exported, no plaintext PII ships, the holdout is stable, deltas are exact, the manifest's
counts add up, and a failed or dry-run export changes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from audiences import normalize as n
from audiences.config import AudienceConfig, AudienceConfigError, Selection, load_audience
from audiences.export import export_audience
from audiences.selection import AudienceError, holdout_draw
from mfs.parquet import read_frame
from tests.serving.conftest import MFS

pytestmark = pytest.mark.slow
AD_FILES = ("google_ads_customer_match.csv", "meta_custom_audience.csv",
            "meta_custom_audience.payloads.jsonl", "ga4_measurement_protocol.jsonl")


def everyone(**update: object) -> AudienceConfig:
    """high_propensity_buyers widened to every eligible customer, to every destination."""
    base = load_audience("high_propensity_buyers")
    return base.model_copy(update={"selection": base.selection.model_copy(
        update={"top_percent": 100.0}), "filters": base.filters.model_copy(
        update={"lifecycle_stages": None}), "min_size": 1,
        "destinations": ["google_ads", "meta", "ga4", "crm", "generic"], **update})


def profile(warehouse: str) -> pd.DataFrame:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute("select * from customer_profile").df()


def exported_ids(folder: Path, suffix: str = "") -> set[str]:
    return set(pd.read_csv(folder / f"crm_scores{suffix}.csv")["customer_id"])


def test_nobody_without_consent_or_suppressed_is_exported_and_no_pii_ships(
    exports: Path, tmp_path: Path
) -> None:
    people = profile(os.environ["MFS_WAREHOUSE"])
    consenting = people[people["has_marketing_consent"]]
    by_id, by_email, by_hash = (consenting.iloc[i] for i in (0, 1, 2))
    suppression = tmp_path / "suppression"
    suppression.mkdir()
    (suppression / "unsubscribed.txt").write_text(
        f"# from the email tool\n{by_id['customer_id']}\n"
        f"  {by_email['email_normalized'].upper()} \n")
    extra = tmp_path / "legal.csv"
    extra.write_text(f"{n.sha256_hex(n.email_basic(by_hash['email_normalized']))},legal hold\n")

    result = export_audience(everyone(), suppression_files=[extra])
    ids = exported_ids(result.folder) | set(read_frame(
        result.folder / "control.parquet")["entity_id"])
    refused = set(people.loc[~people["has_marketing_consent"], "customer_id"])
    suppressed = {by_id["customer_id"], by_email["customer_id"], by_hash["customer_id"]}
    assert refused, "the generated data has people without consent"
    assert not ids & refused
    assert not ids & suppressed
    assert result.manifest["counts"]["excluded"]["suppressed"] == 3
    assert result.manifest["counts"]["excluded"]["no_marketing_consent"] == len(
        refused & set(people["customer_id"]) - suppressed)
    # Hashed emails in the ad files belong to exported people only.
    allowed = {n.sha256_hex(n.email_basic(e)) for e in
               people.loc[people["customer_id"].isin(ids), "email_normalized"]}
    meta = pd.read_csv(result.folder / "meta_custom_audience.csv")
    assert set(meta["EMAIL"].dropna()) <= allowed
    # No plaintext email, phone or name anywhere in the shipped ad-platform files.
    shipped = "".join((result.folder / f).read_text() for f in AD_FILES).lower()
    for column in ("email_normalized", "phone_e164", "first_name", "last_name"):
        values = {str(v).lower() for v in people[column].dropna() if len(str(v)) > 3}
        leaked = [v for v in values if v in shipped]
        assert not leaked, (column, leaked[:3])


def test_people_in_the_erasure_register_are_never_exported(exports: Path) -> None:
    """The last line of defence: scores that outlived an erasure (no sweep ran) still never
    reach a file; the person is counted as `erased`, by id or by email in any case."""
    from mfs.privacy.register import record_request

    people = profile(os.environ["MFS_WAREHOUSE"])
    consenting = people[people["has_marketing_consent"] & people["email_normalized"].notna()]
    by_id, by_email = consenting.iloc[0], consenting.iloc[1]
    record_request("customer_id", by_id["customer_id"])
    record_request("email", f" {by_email['email_normalized'].upper()}")
    result = export_audience(everyone())
    ids = exported_ids(result.folder) | set(read_frame(
        result.folder / "control.parquet")["entity_id"])
    assert not ids & {by_id["customer_id"], by_email["customer_id"]}
    assert result.manifest["counts"]["excluded"]["erased"] == 2


def test_the_manifest_counts_add_up_and_its_hashes_match_the_files(exports: Path) -> None:
    result = export_audience("high_propensity_buyers")
    manifest = json.loads((result.folder / "manifest.json").read_text())
    c = manifest["counts"]
    assert c["scored"] == c["filtered_out"] + sum(c["excluded"].values()) + c["eligible"]
    assert c["selected"] == c["holdout"] + c["exported"]
    assert c["selected"] == pytest.approx(0.1 * c["eligible"], abs=1)
    assert c["exported"] == len(exported_ids(result.folder))
    assert c["holdout"] == len(read_frame(result.folder / "control.parquet"))
    for destination in manifest["destinations"].values():
        for name, digest in destination["files"].items():
            assert hashlib.sha256((result.folder / name).read_bytes()).hexdigest() == digest
    assert manifest["model"] == "purchase_propensity"
    assert manifest["selection"]["score_threshold"] > 0
    audit = [json.loads(line) for line in (exports / "audit.jsonl").read_text().splitlines()]
    assert [a["export_id"] for a in audit] == [result.export_id]


def test_the_holdout_is_stable_and_close_to_its_share(exports: Path) -> None:
    first = export_audience(everyone())
    second = export_audience(everyone())
    control = [set(read_frame(r.folder / "control.parquet")["entity_id"])
               for r in (first, second)]
    assert control[0] == control[1]
    selected = first.manifest["counts"]["selected"]
    share = len(control[0]) / selected
    margin = 3 * (0.1 * 0.9 / selected) ** 0.5  # three standard errors
    assert abs(share - 0.1) < margin, share
    assert all(holdout_draw("high_propensity_buyers", e, "v1") < 0.1 for e in control[0])
    resalted = export_audience(everyone(salt="v2"))
    assert set(read_frame(resalted.folder / "control.parquet")["entity_id"]) != control[0]


def test_delta_files_hold_exactly_the_adds_and_removes(exports: Path, tmp_path: Path) -> None:
    before = export_audience(everyone(holdout_percent=0))
    old = exported_ids(before.folder)
    suppression = tmp_path / "suppression"
    suppression.mkdir()
    leaving = sorted(old)[:7]
    (suppression / "optout.txt").write_text("\n".join(leaving) + "\n")
    after = export_audience(everyone(holdout_percent=0, selection=load_audience(
        "high_propensity_buyers").selection), mode="delta")
    new = set(read_frame(after.folder / "members.parquet")["entity_id"])
    assert exported_ids(after.folder, ".adds") == new - old
    assert exported_ids(after.folder, ".removes") == old - new
    assert set(leaving) <= old - new
    counts = after.manifest["counts"]
    assert (counts["adds"], counts["removes"]) == (len(new - old), len(old - new))
    # Removes for an ad platform are the rows that were uploaded for those people.
    previous_rows = read_frame(before.folder / "internal" / "google_ads.parquet")
    removed_rows = previous_rows[previous_rows["entity_id"].isin(old - new)].drop(
        columns="entity_id")
    shipped = pd.read_csv(after.folder / "google_ads_customer_match.removes.csv", dtype=str)
    assert sorted(shipped["Email"].dropna()) == sorted(removed_rows["Email"].dropna())
    assert not (after.folder / "google_ads_customer_match.csv").exists()


def test_dry_runs_and_failed_exports_change_nothing(exports: Path) -> None:
    first = export_audience("high_propensity_buyers")
    dry = export_audience("high_propensity_buyers", dry_run=True)
    assert dry.folder is None
    assert dry.manifest["counts"]["exported"] == first.manifest["counts"]["exported"]
    too_big = load_audience("high_propensity_buyers").model_copy(update={"min_size": 10**6})
    with pytest.raises(AudienceError, match="below min_size 1000000"):
        export_audience(too_big)
    linkedin = everyone(destinations=["linkedin"], selection=Selection(top_n=100))
    with pytest.raises(AudienceError, match="LinkedIn needs at least 300 matchable contacts"):
        export_audience(linkedin)
    root = exports / "high_propensity_buyers"
    assert (root / "LATEST").read_text() == first.export_id
    assert sorted(p.name for p in root.iterdir()) == sorted([first.export_id, "LATEST"])
    assert len((exports / "audit.jsonl").read_text().splitlines()) == 1


def test_a_lead_audience_goes_to_the_crm(exports: Path) -> None:
    result = export_audience("hot_leads")
    crm = pd.read_csv(result.folder / "crm_scores.csv")
    assert list(crm.columns) == ["lead_id", "score", "decile", "model_version", "scored_at"]
    assert (crm["score"] >= 0.3).all()


def test_mfs_export_cli_previews_without_pii(exports: Path) -> None:
    result = subprocess.run([MFS, "export", "high-propensity-buyers", "--dry-run"],
                            env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "dry run: nothing written" in result.stderr
    assert "@" not in result.stderr
    assert not exports.exists()


@pytest.mark.parametrize(("update", "says"), [
    ({"model": "lead_scoring"}, "destinations ['google_ads', 'meta', 'ga4'] need one"),
    ({"filters": {"lifecycle_stages": ["vip"]}}, "unknown ['vip']"),
    ({"selection": {"top_n": 5, "min_score": 0.2}}, "exactly one of top_n"),
    ({"holdout_percent": 100}, "less than 100"),
])
def test_invalid_audiences_say_why(update: dict, says: str) -> None:
    raw = load_audience("high_propensity_buyers").model_dump()
    with pytest.raises(ValueError, match=says.replace("[", r"\[").replace("]", r"\]")):
        AudienceConfig.model_validate({**raw, **update})


def test_an_unknown_audience_lists_the_known_ones() -> None:
    with pytest.raises(AudienceConfigError, match="known: b2b_linkedin_buyers, "
                       "high_propensity_buyers, hot_leads"):
        load_audience("nope")
