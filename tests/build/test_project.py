"""The dbt project's declarations agree with the contract, the generator and dbt itself."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from mfs import paths
from mfs.build.runner import dbt_env
from mfs.contract import dbt_sources
from mfs.synthetic.people import USD_PER_UNIT
from tests.builds import Built

SEEDS = paths.REPO_ROOT / "dbt_project" / "seeds"


def test_source_yaml_is_rendered_from_the_contract() -> None:
    for system in dbt_sources.SYSTEMS:
        assert dbt_sources.path(system).read_text() == dbt_sources.render(system), (
            "run `python -m mfs.contract.dbt_sources` and commit the result"
        )


def test_currency_rates_seed_matches_the_generator() -> None:
    with (SEEDS / "currency_rates.csv").open() as f:
        seed = {row["currency"]: float(row["usd_per_unit"]) for row in csv.DictReader(f)}
    assert seed == USD_PER_UNIT


def test_country_seed_covers_the_contract_countries() -> None:
    from mfs.contract.schema import COUNTRIES

    with (SEEDS / "countries.csv").open() as f:
        codes = {row["country_code"] for row in csv.DictReader(f)}
    assert set(COUNTRIES) <= codes


def test_dbt_docs_generate_works(clean_build: Built, tmp_path: Path) -> None:
    env = dbt_env(clean_build.raw, clean_build.warehouse, tmp_path / "target")
    dbt = str(Path(sys.executable).with_name("dbt"))
    proc = subprocess.run([dbt, "docs", "generate"], cwd=paths.REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert (tmp_path / "target" / "catalog.json").is_file()
    assert (tmp_path / "target" / "index.html").is_file()

