"""dbt and Feast never drift: every feature column is one Feast field of the same name and type."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from mfs import paths
from mfs.build.status import MANIFEST_FILE
from mfs.featurestore.dbt_features import FEAST_DTYPES, FeatureContractError, feature_marts
from mfs.featurestore.publish import repo_contents
from tests.builds import Built
from tests.featurestore.conftest import feast_environment
from training.config import load_model_config, model_names

FEATURES_YAML = paths.REPO_ROOT / "dbt_project/models/marts/features/_features__models.yml"
ARROW_TYPES = {"Int64": "int64", "Int32": "int32", "Float64": "double", "Float32": "float",
               "String": "string", "Bool": "bool"}


def dbt_feature_columns() -> dict[tuple[str, str], tuple[str, str, str | None]]:
    """(view, column) -> (Feast dtype, description, trend), straight from the dbt YAML file."""
    models = yaml.safe_load(FEATURES_YAML.read_text())["models"]
    out = {}
    for model in models:
        for column in model["columns"]:
            view = (column.get("meta") or {}).get("feature_view")
            if view:
                out[(view, column["name"])] = (FEAST_DTYPES[column["data_type"]],
                                               column["description"].strip(),
                                               column["meta"].get("trend"))
    return out


@pytest.fixture(scope="module")
def repo(clean_build: Built, tmp_path_factory: pytest.TempPathFactory):
    with feast_environment(clean_build.features, tmp_path_factory.mktemp("feast")):
        yield repo_contents()


def test_feast_fields_are_exactly_the_dbt_feature_columns(repo) -> None:
    feast_fields = {(view.name, f.name): (str(f.dtype), f.description, f.tags.get("trend"))
                    for view in repo.feature_views for f in view.features}
    dbt_columns = dbt_feature_columns()
    assert set(feast_fields) - set(dbt_columns) == set(), "Feast fields missing in dbt"
    assert set(dbt_columns) - set(feast_fields) == set(), "dbt feature columns missing in Feast"
    assert feast_fields == dbt_columns
    assert {name for (_, name), (*_, trend) in feast_fields.items() if trend == "calendar"} >= {
        "tenure_days", "days_since_last_order", "lead_age_days"}


def test_every_view_has_a_deliberate_ttl_owner_and_description(repo) -> None:
    for view in repo.feature_views:
        assert view.ttl.total_seconds() > 0, view.name
        assert view.description, view.name
        assert view.owner, view.name
        assert {"owner", "team", "dbt_model"} <= set(view.tags), view.name


def test_parquet_exports_store_each_feature_in_its_feast_type(repo, clean_build: Built) -> None:
    for view in repo.feature_views:
        schema = pq.ParquetDataset(view.batch_source.path).schema  # a directory of snapshots
        for field in view.features:
            assert str(schema.field(field.name).type) == ARROW_TYPES[str(field.dtype)], (
                view.name, field.name)
        assert str(schema.field(view.batch_source.timestamp_field).type) == "timestamp[us, tz=UTC]"


def test_each_model_names_an_existing_feature_service(repo) -> None:
    services = {s.name: s for s in repo.feature_services}
    assert {"purchase_propensity_v1", "lead_scoring_v1"} <= set(services)
    for model in model_names():
        config = load_model_config(model)
        assert config.feature_service in services, model
        assert services[config.feature_service].tags["model"] == model


def _manifest(clean_build: Built) -> dict:
    return json.loads((clean_build.features / MANIFEST_FILE).read_text())


def _write(tmp_path: Path, manifest: dict) -> Path:
    path = tmp_path / MANIFEST_FILE
    path.write_text(json.dumps(manifest))
    return path


def _customer_node(manifest: dict) -> dict:
    return manifest["nodes"]["model.marketing_feature_store.customer_features"]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda n: n["columns"]["orders_30d"].update(data_type="decimal(18,2)"),
     "column orders_30d: data_type 'decimal(18,2)' has no Feast type"),
    (lambda n: n["columns"]["orders_30d"]["meta"].update(feature_view="customer_rmf"),
     "column orders_30d: meta.feature_view 'customer_rmf' is not one of the views"),
    (lambda n: n["config"]["meta"]["feast_feature_views"]["customer_rfm"].pop("ttl_days"),
     "feature view customer_rfm: ttl_days must be a positive integer"),
    (lambda n: n["config"]["meta"].pop("feast_join_key"),
     "dbt model customer_features (dbt_project/models/marts/features/customer_features.sql): "
     "meta.feast_join_key is missing"),
])
def test_gaps_in_the_dbt_contract_are_errors_naming_model_and_column(
    clean_build: Built, tmp_path: Path, mutate, message: str
) -> None:
    manifest = copy.deepcopy(_manifest(clean_build))
    mutate(_customer_node(manifest))
    with pytest.raises(FeatureContractError, match=re.escape(message)):
        feature_marts(_write(tmp_path, manifest))


def test_feature_store_doc_lists_the_views_as_defined(repo) -> None:
    from mfs.featurestore import docs

    text = docs.SECTION.doc.read_text()
    assert docs.SECTION.updated(text) == text, "run `python -m mfs.featurestore.docs` and commit"
