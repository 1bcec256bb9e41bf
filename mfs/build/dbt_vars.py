"""The vars of dbt_project.yml, for Python that must agree with the dbt models (label windows)."""

from __future__ import annotations

from typing import Any

import yaml

from mfs import paths


def dbt_var(name: str) -> Any:
    config = yaml.safe_load((paths.REPO_ROOT / "dbt_project.yml").read_text())
    return config["vars"][name]
