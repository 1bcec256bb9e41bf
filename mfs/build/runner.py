"""Run dbt as a child process against the repo's project, with the pipeline's paths.

A child process, not dbtRunner in-process: dbt keeps its DuckDB connection (and the file lock)
for the life of the process, and the build steps after it must open the warehouse themselves.
Progress comes from dbt's JSON log lines; results from the standard `run_results.json`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mfs import paths


@dataclass
class NodeResult:
    name: str
    resource_type: str
    status: str
    message: str | None
    seconds: float
    failures: int | None = None
    max_loaded_at: str | None = None  # source freshness: the newest loaded_at_field value


@dataclass
class DbtRun:
    command: str
    success: bool
    results: list[NodeResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def dbt_env(raw_dir: Path, warehouse: Path, target_dir: Path | None = None) -> dict[str, str]:
    """The environment every dbt call of the pipeline runs with."""
    target = (target_dir or paths.dbt_target_dir()).resolve()
    return {
        **os.environ,
        "MFS_RAW_DIR": str(Path(raw_dir).resolve()),
        "MFS_WAREHOUSE": str(Path(warehouse).resolve()),
        "MFS_PRIVACY_DIR": str(paths.privacy_dir().resolve()),
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target.parent / "logs"),
        "DBT_PROFILES_DIR": str(paths.REPO_ROOT),
        "DBT_PROJECT_DIR": str(paths.REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def _node_name(unique_id: str) -> str:
    """`test.project.accepted_values_x.1a2b3c` -> `accepted_values_x`; sources keep `src.table`."""
    parts = unique_id.split(".")
    if parts[0] == "test" and len(parts) >= 3:
        return parts[2]
    if parts[0] == "source":
        return ".".join(parts[-2:])
    return parts[-1]


def _dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def invoke(
    args: list[str], raw_dir: Path, warehouse: Path,
    on_node: Callable[[str, str], None] | None = None, target_dir: Path | None = None,
) -> DbtRun:
    """Run `dbt <args>`; `on_node(name, status)` is called as each node finishes."""
    Path(warehouse).parent.mkdir(parents=True, exist_ok=True)
    env = dbt_env(raw_dir, warehouse, target_dir)
    # `dbt source freshness` writes sources.json; every other command run_results.json.
    artefact = "sources.json" if args[:2] == ["source", "freshness"] else "run_results.json"
    run_results = Path(env["DBT_TARGET_PATH"]) / artefact
    run_results.unlink(missing_ok=True)
    cmd = [_dbt_executable(), *args, "--log-format", "json"]
    errors: list[str] = []
    with subprocess.Popen(cmd, cwd=paths.REPO_ROOT, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                errors.append(line.rstrip())
                continue
            info = event.get("info", {})
            if info.get("level") == "error" and info.get("msg"):
                errors.append(info["msg"])
            if on_node and info.get("name") == "NodeFinished":
                node = event.get("data", {}).get("node_info", {})
                on_node(node.get("node_name", "?"), node.get("node_status", "?"))
    run = DbtRun(command="dbt " + " ".join(args), success=proc.returncode == 0, errors=errors)
    if run_results.exists():
        for item in json.loads(run_results.read_text()).get("results", []):
            unique_id = item.get("unique_id", "?")
            run.results.append(NodeResult(
                name=_node_name(unique_id),
                resource_type=unique_id.split(".")[0],
                status=str(item.get("status")),
                message=item.get("message"),
                seconds=round(float(item.get("execution_time") or 0.0), 2),
                failures=item.get("failures"),
                max_loaded_at=item.get("max_loaded_at"),
            ))
    return run
