"""The vars of dbt_project.yml, for Python that must agree with the dbt models (label windows)."""

from __future__ import annotations

import functools
from typing import Any

import yaml

from mfs import paths


@functools.cache
def _vars() -> dict[str, Any]:
    return yaml.safe_load((paths.REPO_ROOT / "dbt_project.yml").read_text())["vars"]


def dbt_var(name: str) -> Any:
    return _vars()[name]


def dbt_var_names() -> list[str]:
    return list(_vars())
