"""`mfs forget` on a whole served world: afterwards the person is looked for everywhere the
pipeline stores data (every warehouse table and view, every parquet file, every exported file,
the online store) and found nowhere; new exports skip them; the next build rejects their rows
as `erased`, stays green and keeps every raw row counted."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from audiences.export import export_audience
from audiences.normalize import email_basic, email_google, sha256_hex
from audiences.selection import AudienceError
from mfs.build.build import build
from mfs.parquet import read_frame
from tests.builds import Built
from tests.featurestore.conftest import feast_environment
from tests.served import ServedWorld
from tests.serving.conftest import MFS

pytestmark = pytest.mark.slow
AUDIENCE = "high_propensity_buyers"
# Where identifiers must remain, and why: the landing files are the source systems' export
# (the register excludes them on every read), the register holds the request's SHA-256, and the
# resolver view derives the identifiers from those two and stores nothing.
KEPT = {"schemas": ("raw", "privacy"), "views": ("base_privacy__erased_subjects",)}


@dataclass
class World:
    data: Path
    build: Built
    env: dict[str, str]
    person: dict[str, object]  # contact id, lead ids, anonymous ids, email forms
    before_export: Path


def _person(warehouse: Path, members: list[str]) -> dict[str, object]:
    """An exported customer who is also a lead and was identified on a device."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("""
            select p.customer_id, p.email_normalized, p.email_key
            from customer_profile as p
            where p.customer_id in (select unnest(?))
              and exists (select 1 from stg_crm__leads as l where l.email_key = p.email_key)
              and exists (select 1 from int_anonymous_ids_linked_to_customers as a
                          where a.customer_id = p.customer_id)
            order by p.customer_id limit 1""", [members]).fetchone()
        assert row, "no exported customer with a lead and a device in the served world"
        customer_id, email, email_key = row
        leads = [r[0] for r in con.execute(
            "select lead_id from stg_crm__leads where email_key = ?", [email_key]).fetchall()]
        devices = [r[0] for r in con.execute(
            "select anonymous_id from int_anonymous_ids_linked_to_customers "
            "where customer_id = ?", [customer_id]).fetchall()]
    return {"customer_id": customer_id, "email": email, "email_key": email_key,
            "leads": leads, "devices": devices,
            "hashes": {sha256_hex(email_basic(email)), sha256_hex(email_google(email))}}


def _identifiers(person: dict[str, object]) -> set[str]:
    return {str(person["customer_id"]), str(person["email"]), str(person["email_key"]),
            *person["leads"], *person["devices"], *person["hashes"]}  # type: ignore[misc]


@pytest.fixture(scope="module")
def world(served_world: ServedWorld, tmp_path_factory: pytest.TempPathFactory) -> World:
    """A private copy of the served world with a full export made, then `mfs forget`."""
    copy = served_world.private_copy(tmp_path_factory.mktemp("forget"))
    with copy.environment():
        exported = export_audience(AUDIENCE)
        members = read_frame(exported.folder / "members.parquet")["entity_id"].tolist()
    person = _person(copy.data / "warehouse.duckdb", members)
    assert person["customer_id"] in members
    return World(copy.data, copy.build, copy.env, person, exported.folder)


def _forget(world: World, *args: str) -> dict[str, object]:
    done = subprocess.run([MFS, "forget", *args, "--json"], capture_output=True, text=True,
                          env={**os.environ, **world.env}, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _found_in_warehouse(warehouse: Path, identifiers: set[str]) -> list[str]:
    hits = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database()").fetchall()
        for schema, table in relations:
            if schema in KEPT["schemas"] or table in KEPT["views"]:
                continue
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? and table_catalog = current_database()",
                [schema, table]).fetchall()]
            for column in columns:
                n = con.execute(f'select count(*) from "{schema}"."{table}" '
                                f'where cast("{column}" as varchar) in (select unnest(?))',
                                [sorted(identifiers)]).fetchone()[0]
                if n:
                    hits.append(f"{schema}.{table}.{column}: {n}")
    return hits


def _leaves(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*map(_leaves, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_leaves, value)) if value else set()
    return {str(value)}


def _cells(path: Path) -> set[str]:
    """Every value a file holds, as text (exact values: `L-2` must not match `L-21`)."""
    if path.suffix == ".parquet":
        frame = read_frame(path)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str)
    elif path.suffix in (".json", ".jsonl"):
        lines = path.read_text().splitlines() if path.suffix == ".jsonl" else [path.read_text()]
        return set().union(*(_leaves(json.loads(line)) for line in lines if line.strip()))
    else:
        return set()
    return {str(v) for column in frame.columns for v in frame[column].unique()}


def _found_in_files(root: Path, identifiers: set[str]) -> list[str]:
    hits = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and "privacy" not in path.parts:
            hits += [f"{path}: {i}" for i in sorted(_cells(path) & identifiers)]
    return hits


def _found_online(data: Path, ids: set[str]) -> list[str]:
    hits = []
    with sqlite3.connect(data / "feast" / "online_store.db") as con:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            n = con.execute(f'select count(*) from "{table}" where entity_key in '
                            f"({', '.join('?' * len(ids))})", sorted(ids)).fetchone()[0]
            if n:
                hits.append(f"{table}: {n}")
    return hits


def test_the_person_is_everywhere_before(world: World) -> None:
    """The search below can find them: before `mfs forget` it does."""
    identifiers = _identifiers(world.person)
    assert _found_in_warehouse(world.data / "warehouse.duckdb", identifiers)
    assert _found_in_files(world.data / "exports", identifiers)
    assert _found_in_files(world.build.features, identifiers)
    assert _found_online(world.data, {world.person["customer_id"], *world.person["leads"]})


@pytest.fixture(scope="module")
def forgotten(world: World) -> dict[str, object]:
    test_the_person_is_everywhere_before(world)
    messy = f"  {str(world.person['email']).upper()} "
    return _forget(world, "--email", messy)


def test_forget_records_a_hash_and_covers_every_identifier(world: World,
                                                           forgotten: dict) -> None:
    assert forgotten["new_request"]
    register = read_frame(world.data / "privacy" / "erasure_requests.parquet")
    assert register["subject_sha256"].tolist() == [world.person["email_key"]]
    assert str(world.person["email"]) not in register.to_csv()
    assert forgotten["subjects"] == {"contact_id": 1, "email_key": 1,
                                     "lead_id": len(world.person["leads"]),
                                     "anonymous_id": len(world.person["devices"])}
    assert forgotten["online"]
    assert forgotten["exports"]
    assert forgotten["warehouse"]


def test_the_person_is_nowhere_after(world: World, forgotten: dict) -> None:
    identifiers = _identifiers(world.person)
    assert _found_in_warehouse(world.data / "warehouse.duckdb", identifiers) == []
    assert _found_in_files(world.data, identifiers) == []
    assert _found_in_files(world.build.features, identifiers) == []
    assert _found_online(world.data, {world.person["customer_id"], *world.person["leads"]}) == []
    manifest = json.loads((world.before_export / "manifest.json").read_text())
    assert manifest["erasures"][0]["rows_removed"] > 0  # the rewrite is on the record


def test_forget_again_is_idempotent(world: World, forgotten: dict) -> None:
    again = _forget(world, "--customer-id", str(world.person["customer_id"]))
    assert again["new_request"]  # a second request, by id, for the same person
    assert again["warehouse"] == {}
    assert again["files"] == {}
    assert again["exports"] == {}
    assert set(again["online"].values()) == {0}


def test_new_exports_skip_them_and_a_delta_asks_for_a_full_export(world: World,
                                                                   forgotten: dict) -> None:
    with feast_environment(world.build.features, world.data, **world.env):
        with pytest.raises(AudienceError, match=r"erasure.*full export"):
            export_audience(AUDIENCE, mode="delta")
        fresh = export_audience(AUDIENCE)
        again = export_audience(AUDIENCE, mode="delta")
    assert _found_in_files(fresh.folder, _identifiers(world.person)) == []
    assert again.manifest["counts"]["adds"] == again.manifest["counts"]["removes"] == 0


def test_the_next_build_rejects_their_rows_and_stays_green(world: World,
                                                           forgotten: dict) -> None:
    with feast_environment(world.build.features, world.data, **world.env):
        summary = build(world.build.raw, world.data / "warehouse.duckdb", world.build.features,
                        target_dir=world.build.root / "target", freshness="skip")
    assert summary.success, summary.failing  # includes raw = accepted + rejected
    erased = {t for t, reasons in summary.rejected_rows.items() if reasons.get("erased")}
    assert erased >= {"crm_contacts", "crm_leads", "web_identifies"}
    assert _found_in_warehouse(world.data / "warehouse.duckdb", _identifiers(world.person)) \
        == []
    assert _found_in_files(world.build.features, _identifiers(world.person)) == []
