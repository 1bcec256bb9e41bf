"""One screen on the pipeline's health: data quality of the latest build, the models in
production, the latest drift report of each, the latest export of each audience and the latest
uplift verdict of each audience.

Reads what the stages recorded (features/_build.json, the registry, the drift and uplift
reports, exports/audit.jsonl); it runs nothing, so it is instant and safe to call anywhere.
"""

from __future__ import annotations

import json
from typing import Any

from mfs import paths


def _build() -> dict[str, Any]:
    from mfs.build.status import BuildNotGreenError, read_build_status

    try:
        status = read_build_status(paths.features_dir())
    except BuildNotGreenError as exc:
        return {"status": "none", "detail": str(exc)}
    rejected = sum(n for reasons in status.rejected_rows.values() for n in reasons.values())
    return {"status": "green" if status.success else "failed", "finished_at": status.finished_at,
            "stage_failed": status.stage_failed, "failing": status.failing,
            "tests": status.tests, "rejected_rows": rejected}


def _models() -> dict[str, Any]:
    from training.config import model_names
    from training.registry import Registry

    registry = Registry()
    out: dict[str, Any] = {}
    for model in model_names():
        versions = registry.versions(model)
        production = registry.production(model)
        entry = next((v for v in versions if v["version"] == production), None)
        out[model] = {"production": production, "versions": len(versions),
                      "test_roc_auc": entry["test_roc_auc"] if entry else None,
                      "trained_at": entry["trained_at"] if entry else None}
    return out


def _drift() -> dict[str, Any]:
    from monitoring.monitor import monitoring_dir

    out: dict[str, Any] = {}
    for folder in sorted(monitoring_dir().glob("*/drift-*/drift.json")):
        report = json.loads(folder.read_text())
        out[report["model"]] = {"version": report["version"], "drifted": report["drifted"],
                                "alerts": report["alerts"], "report": str(folder.parent)}
    return out  # sorted by time: the latest report of each model wins


def _exports() -> dict[str, Any]:
    from audiences.export import AUDIT_LOG, exports_dir

    log = exports_dir() / AUDIT_LOG
    out: dict[str, Any] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            out[entry["audience"]] = {"export_id": entry["export_id"],
                                      "created_at": entry["created_at"],
                                      "exported": entry["counts"]["exported"],
                                      "holdout": entry["counts"]["holdout"]}
    return out


def _uplift() -> dict[str, Any]:
    """Per audience, the newest judged export of the newest `mfs monitor uplift` report."""
    from monitoring.monitor import monitoring_dir

    reports = sorted(monitoring_dir().glob("uplift-*/uplift.json"))
    out: dict[str, Any] = {}
    if reports:
        for entry in json.loads(reports[-1].read_text())["exports"]:
            comparison = entry["comparison"]
            if comparison["verdict"] in ("window_open", "no_holdout"):
                continue
            out[entry["audience"]] = {"export_id": entry["export_id"],
                                      "verdict": comparison["verdict"],
                                      "relative_uplift": comparison["relative_uplift"],
                                      "ci_low": comparison["ci_low"],
                                      "ci_high": comparison["ci_high"],
                                      "flagged": entry["flagged"]}
    return out


def health() -> dict[str, Any]:
    return {"data_quality": _build(), "models": _models(), "drift": _drift(),
            "exports": _exports(), "uplift": _uplift()}
