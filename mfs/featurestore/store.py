"""Open the Feast store of feature_repo/ with the pipeline's paths and the chosen environment.

`feature_store.yaml` is the embedded default (DuckDB, packed SQLite, file registry under data/);
`MFS_FEAST_ENV=prod` selects `feature_store.prod.yaml` (packed Redis, SQL registry on PostgreSQL).
The yaml files stay plain Feast: `feast apply` run inside feature_repo/ uses them as they are.
`mfs` commands additionally move the embedded files under `$MFS_DATA_DIR/feast/` and take the
production addresses from `MFS_REDIS_URL` / `MFS_REGISTRY_URL` when set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from feast import FeatureStore
from feast.repo_config import RepoConfig

from mfs import paths

FEATURE_REPO = paths.REPO_ROOT / "feature_repo"
ENVIRONMENTS = {"dev": "feature_store.yaml", "prod": "feature_store.prod.yaml"}


def environment() -> str:
    env = os.environ.get("MFS_FEAST_ENV", "dev")
    if env not in ENVIRONMENTS:
        raise ValueError(f"MFS_FEAST_ENV={env!r}: expected one of {', '.join(ENVIRONMENTS)}")
    return env


def feast_dir() -> Path:
    """Where the embedded registry and online store live (`$MFS_DATA_DIR/feast`), absolute:
    Feast would read a relative path as relative to feature_repo/."""
    return (paths.data_dir() / "feast").resolve()


def raw_config(env: str | None = None) -> dict[str, Any]:
    """The environment's yaml as a dict, with the pipeline's paths and addresses applied."""
    yaml_path = FEATURE_REPO / ENVIRONMENTS[env or environment()]
    config = yaml.safe_load(os.path.expandvars(yaml_path.read_text()))
    registry, online = config["registry"], config["online_store"]
    if registry.get("registry_type", "file") == "file":
        feast_dir().mkdir(parents=True, exist_ok=True)
        registry["path"] = str(feast_dir() / "registry.db")
    elif os.environ.get("MFS_REGISTRY_URL"):
        registry["path"] = os.environ["MFS_REGISTRY_URL"]
    if online["type"].endswith("SqliteOnlineStore"):
        online["path"] = str(feast_dir() / "online_store.db")
    elif "url" in online and os.environ.get("MFS_REDIS_URL"):
        online["url"] = os.environ["MFS_REDIS_URL"]
    return config


def ensure_sql_registry_database(url: str) -> None:
    """Create the PostgreSQL database of a SQL registry if it is missing (Feast does not)."""
    import sqlalchemy

    target = sqlalchemy.engine.make_url(url)
    if not target.drivername.startswith("postgresql"):
        return
    admin = sqlalchemy.create_engine(target.set(database="postgres"),
                                     isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sqlalchemy.text("select 1 from pg_database where datname = :d"),
                                  {"d": target.database}).scalar()
            if not exists:
                conn.execute(sqlalchemy.text(f'create database "{target.database}"'))
    finally:
        admin.dispose()


def open_store(env: str | None = None) -> FeatureStore:
    config = raw_config(env)
    if config["registry"].get("registry_type") == "sql":
        ensure_sql_registry_database(config["registry"]["path"])
    repo_config = RepoConfig(**config)
    repo_config.repo_path = FEATURE_REPO
    return FeatureStore(repo_path=str(FEATURE_REPO), config=repo_config)


def write_resolved_yaml(path: Path, env: str | None = None, **overrides: Any) -> Path:
    """The environment's feature_store.yaml with the pipeline's paths filled in, for Feast's own
    CLI (`feast -c feature_repo -f PATH ...`); `overrides` replace top-level sections."""
    config = {**raw_config(env), **overrides}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path
