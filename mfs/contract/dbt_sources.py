"""Render the dbt source declarations from the contract: one `_<system>__sources.yml` per system.

    python -m mfs.contract.dbt_sources            # rewrite the files
    python -m mfs.contract.dbt_sources --check    # exit 1 if they are out of date (tests)

The raw files are registered as views in the `raw` schema by the `register_raw_sources` macro;
these declarations give dbt their columns (typed: the macro builds empty stand-ins for absent
optional tables from them), descriptions, freshness and the `required` flag.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from mfs.contract.schema import TABLES, Table
from mfs.contract.validate import duckdb_type
from mfs.paths import REPO_ROOT

STAGING = REPO_ROOT / "dbt_project" / "models" / "staging"
HEADER = (
    "# Generated from mfs/contract/schema.py by `python -m mfs.contract.dbt_sources`; "
    "do not edit.\n"
)
SYSTEMS = {
    "crm": "CRM exports (Salesforce / HubSpot-like): accounts, contacts, consent, leads, "
    "opportunities, orders.",
    "web": "Web analytics exports (GA4 BigQuery export / Segment-like): events and identify calls.",
    "ads": "Ad platform exports (Google Ads, Meta, LinkedIn): campaigns, daily reports, clicks.",
}
# Freshness of the tables that have a freshness column: orders and events must be recent.
FRESHNESS = {
    "warn_after": {"count": 36, "period": "hour"},
    "error_after": {"count": 72, "period": "hour"},
}


def _dbt_type(table: Table, column: str) -> str:
    return {"TIMESTAMP WITH TIME ZONE": "timestamptz"}.get(
        duckdb_type(table.column(column).type), duckdb_type(table.column(column).type).lower()
    )


def source_tables(system: str) -> list[dict[str, object]]:
    out = []
    for table in TABLES:
        if table.system != system:
            continue
        entry: dict[str, object] = {
            "name": table.name,
            "description": f"{table.grain} Mimics {table.mimics}."
            + (f" {table.notes}" if table.notes else ""),
            "config": {"meta": {"required": table.required}},
            "columns": [
                {"name": c.name, "description": c.description,
                 "data_type": _dbt_type(table, c.name),
                 # register_raw_sources fills a column the file lacks with this (else null)
                 **({"config": {"meta": {"default_when_absent": c.default}}} if c.default
                    else {})}
                for c in table.columns
            ],
        }
        if table.freshness_column:
            entry["config"] = {
                "meta": {"required": table.required},
                "loaded_at_field": table.freshness_column,
                "freshness": FRESHNESS if table.required or table.system == "web" else {
                    "warn_after": FRESHNESS["warn_after"]},
            }
        out.append(entry)
    return out


def render(system: str) -> str:
    doc = {
        "version": 2,
        "sources": [{
            "name": system,
            "description": SYSTEMS[system],
            "schema": "raw",
            "tables": source_tables(system),
        }],
    }
    return HEADER + yaml.safe_dump(doc, sort_keys=False, width=100, allow_unicode=True)


def path(system: str) -> Path:
    return STAGING / system / f"_{system}__sources.yml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = [s for s in SYSTEMS if not path(s).exists() or path(s).read_text() != render(s)]
    if args.check:
        sys.exit(1 if stale else 0)
    for system in SYSTEMS:
        path(system).write_text(render(system))


if __name__ == "__main__":
    main()
