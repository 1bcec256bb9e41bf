"""`mfs run`: the whole pipeline, build -> publish -> (train) -> score -> export, behind a
quality gate.

The gate is the build: when an error-severity dbt test or a source freshness check fails, the
run stops there and names what failed. Nothing after it runs, so the online store, the models,
the scores and the exports stay exactly as the last green run left them (the build itself
only replaces the feature exports when every test passed, and `mfs publish` and `mfs export`
refuse to work from a failed build). Warnings (tests of severity warn, stale-but-not-too-stale
sources) are reported and do not stop anything.

An audience that cannot be exported (too few people, no production model yet) is reported as
skipped with its reason; the other audiences still go out. A model with nothing to train on
(an export without leads) is skipped with its reason; a model whose training or scoring fails
is reported as failed (the run exits 1) and skips only the audiences that use it: the other
models are still trained and scored and their audiences exported.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mfs import paths


@dataclass
class Step:
    name: str
    status: str  # ok | warn | failed | skipped
    detail: str
    seconds: float = 0.0


@dataclass
class RunSummary:
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(s.status == "failed" for s in self.steps)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "steps": [s.__dict__ for s in self.steps]}


def _noop(_: Step) -> None:
    pass


def run_pipeline(
    raw_dir: Path | None = None,
    *,
    freshness: str = "error",
    train: bool = False,
    on_step: Callable[[Step], None] = _noop,
) -> RunSummary:
    from mfs.build.build import build

    summary = RunSummary()

    def record(step: Step) -> Step:
        summary.steps.append(step)
        on_step(step)
        return step

    started = time.perf_counter()
    built = build(raw_dir or paths.raw_dir(), paths.warehouse_path(), paths.features_dir(),
                  freshness=freshness)
    seconds = round(time.perf_counter() - started, 1)
    if not built.success:
        failing = ", ".join(str(f.get("name")) for f in built.failing) or "; ".join(
            built.errors) or "unknown"
        record(Step("build", "failed", f"stopped at {built.stage_failed}: {failing}. Nothing "
                    "was published, scored or exported; the last green run's features, "
                    "models and exports stay in place.", seconds))
        return summary
    warned = built.tests.get("warn", 0)
    stale = [f["source"] for f in built.freshness if f.get("status") == "warn"]
    detail = (f"{built.models.get('success', 0)} models, {built.tests.get('pass', 0)} tests "
              f"passed" + (f", {warned} warned" if warned else "")
              + (f"; sources stale (warn): {', '.join(stale)}" if stale else ""))
    record(Step("build", "warn" if warned or stale else "ok", detail, seconds))

    from mfs.featurestore.publish import publish

    started = time.perf_counter()
    published = publish()
    record(Step("publish", "ok", f"{published.written:,} online records written",
                round(time.perf_counter() - started, 1)))

    from training.config import model_names
    from training.registry import Registry

    registry = Registry()
    failed: dict[str, str] = {}  # model -> the step that failed for it
    if train:
        from training.datasets import NoLabelledRowsError
        from training.train import train_model

        for model in model_names():
            started = time.perf_counter()
            try:
                result = train_model(model, registry=registry)
            except NoLabelledRowsError as exc:
                record(Step(f"train {model}", "skipped", str(exc)))
                continue
            except Exception as exc:  # one model's failure must not stop the others
                failed[model] = f"train {model}"
                record(_failed(f"train {model}", exc, f"mfs train {model}", started))
                continue
            record(Step(f"train {model}", "ok",
                        f"v{result.version} " + ("promoted" if result.promoted else
                                                 "registered, gate refused: "
                                                 + "; ".join(result.gate.reasons)),
                        round(time.perf_counter() - started, 1)))

    from serving.batch import score_all

    for model in model_names():
        if registry.production(model) is None:
            record(Step(f"score {model}", "skipped", "no production version"))
            continue
        started = time.perf_counter()
        try:
            scored = score_all(model, registry=registry)
        except Exception as exc:
            failed[model] = f"score {model}"
            record(_failed(f"score {model}", exc, f"mfs score {model}", started))
            continue
        record(Step(f"score {model}", "ok", f"{scored.entities:,} entities with "
                    f"v{scored.version}", round(time.perf_counter() - started, 1)))

    from audiences.config import audience_names, load_audience
    from audiences.export import export_audience
    from audiences.selection import AudienceError

    for audience in audience_names():
        config = load_audience(audience)
        if config.model in failed:
            record(Step(f"export {audience}", "skipped", f"{failed[config.model]} failed: not "
                        "exporting from its previous scores"))
            continue
        if registry.production(config.model) is None:
            record(Step(f"export {audience}", "skipped", f"{config.model} has no production "
                        "version"))
            continue
        started = time.perf_counter()
        try:
            exported = export_audience(config)
        except AudienceError as exc:
            record(Step(f"export {audience}", "skipped", str(exc)))
            continue
        counts = exported.manifest["counts"]
        record(Step(f"export {audience}", "ok", f"{counts['exported']:,} exported, "
                    f"{counts['holdout']:,} held out -> {exported.folder}",
                    round(time.perf_counter() - started, 1)))
    return summary


def _failed(name: str, exc: Exception, retry: str, started: float) -> Step:
    """A failed step with the error's first line and the command that shows all of it."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return Step(name, "failed", f"{type(exc).__name__}: {first} (run `{retry}` for the whole "
                "error)", round(time.perf_counter() - started, 1))
