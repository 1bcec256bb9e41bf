"""Run the benchmark stages at one scale and write bench/results/<scale>.{json,md}.

Each stage runs as a child process so its wall time and peak RSS are its own. A stage that
prints a JSON summary with `seconds` also gets `call_seconds`: the timed work alone, without
interpreter start and imports (Feast alone takes ~4 s to import). Stages measured against a
baseline in the same run carry `baseline` and `speedup` (baseline time / stage time, for call
and process time). Usage:

    python -m bench.run --scale 100k [--stages generate,validate] [--work bench/work]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from mfs.parquet import read_frame

SCALES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
ALL_STAGES = ("generate", "validate", "build_full", "build_incremental_one_day",
              "publish_sqlite", "stock_materialize_sqlite", "publish_redis",
              "stock_materialize_redis", "training_set", "asof_join_baseline",
              "xgboost_fit", "logistic_fit", "train_purchase_propensity", "train_lead_scoring",
              "score_batch", "score_batch_feast_sdk", "serve_latency_sqlite",
              "serve_latency_sqlite_no_reasons", "feast_serve_latency_sqlite",
              "serve_latency_redis")
# The production Feast configuration, on databases of its own (reset before publish_redis).
PROD = {"MFS_FEAST_ENV": "prod", "MFS_REDIS_URL": "redis://127.0.0.1:6379/13",
        "MFS_REGISTRY_URL": "postgresql+psycopg2://postgres@127.0.0.1:5432/mfs_registry_bench"}
RESULTS = Path(__file__).resolve().parent / "results"
END_DATE = "2026-06-30"  # fixed, so every run at a scale generates the same bytes


def machine() -> dict[str, object]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024**2, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


_WRAPPER = (
    "import resource, subprocess, sys\n"
    "proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)\n"
    "sys.stdout.write(proc.stdout)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(proc.returncode)\n"
)


def _summary(stdout: str) -> dict[str, object]:
    """The stage's JSON summary: all of stdout, or its last line."""
    for text in (stdout, stdout.strip().splitlines()[-1] if stdout.strip() else ""):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            continue
        if isinstance(parsed, dict):
            return parsed
    return {}


def measure(name: str, argv: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run one stage under a tiny wrapper process, so the peak RSS reported is the stage's own."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *argv], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"stage {name} failed: {shlex.join(argv)}")
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    program = ["python", *argv[1:]] if argv[0] == sys.executable else [Path(argv[0]).name,
                                                                         *argv[1:]]
    result: dict[str, object] = {
        "stage": name,
        # As a user types it from the repo root with the virtualenv active.
        "command": " ".join(f"{k}={v}" for k, v in (env or {}).items()) + (" " if env else "")
        + shlex.join(program),
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_kb / 1024, 1),
    }
    summary = _summary(proc.stdout)
    if isinstance(summary.get("seconds"), int | float):
        result["call_seconds"] = summary["seconds"]
    if "dbt_seconds" in summary:  # `mfs build`: where its time went
        result["dbt_seconds"] = summary["dbt_seconds"]
        result["export_seconds"] = round(sum(float(e["seconds"])
                                             for e in summary.get("exported", [])), 2)
    for key in ("written", "rows", "columns", "features", "trees", "entities", "latency"):
        if key in summary:
            result[key] = summary[key]
    if "test" in summary:  # a model card from `mfs train --json`
        result["quality"] = model_quality(summary)
    return result


def model_quality(card: dict) -> dict[str, object]:
    """The issue's acceptance figures from a model card: test-window AUC and top-decile lift of
    the model, its baselines and the oracle, and the model/oracle AUC ratio."""
    test = card["test"]
    quality: dict[str, object] = {
        name: {"roc_auc": round(m["roc_auc"], 4), "top_decile_lift": round(m["top_decile_lift"], 3)}
        for name, m in test.items()}
    if "oracle" in test:
        quality["auc_ratio_to_oracle"] = round(test["model"]["roc_auc"]
                                               / test["oracle"]["roc_auc"], 4)
    quality["train_rows"] = card["split"]["train"]["rows"]
    quality["test_rows"] = card["split"]["test"]["rows"]
    quality["gate"] = "promote" if card["gate"]["promote"] else "refused"
    return quality


# stage -> its baseline in the same run; speedup = baseline time / stage time.
BASELINES = {
    "publish_sqlite": "stock_materialize_sqlite",
    "publish_redis": "stock_materialize_redis",
    "training_set": "asof_join_baseline",
    "build_incremental_one_day": "build_full",
    "xgboost_fit": "logistic_fit",
    "score_batch": "score_batch_feast_sdk",
}
# Latency stages run for a fixed time: compared by p99 latency, not by seconds.
LATENCY_BASELINES = {"serve_latency_sqlite": "feast_serve_latency_sqlite",
                     "serve_latency_sqlite_no_reasons": "feast_serve_latency_sqlite",
                     "serve_latency_redis": "feast_serve_latency_sqlite"}
SERVING_STAGES = ("score_batch", "score_batch_feast_sdk", "serve_latency_sqlite",
                  "serve_latency_sqlite_no_reasons", "feast_serve_latency_sqlite",
                  "serve_latency_redis")


def compare(by_stage: dict[str, dict[str, object]]) -> None:
    """Speedups for every stage whose baseline was measured in the same run."""
    for stage, baseline in BASELINES.items():
        if stage not in by_stage or baseline not in by_stage:
            continue
        ours, theirs = by_stage[stage], by_stage[baseline]
        for key in ("baseline", "speedup", "speedup_call", "ratio_to_build_full"):
            ours.pop(key, None)
        if ours.get("run") != theirs.get("run"):
            continue
        ours["baseline"] = baseline
        ours["speedup"] = round(float(theirs["seconds"]) / float(ours["seconds"]), 2)
        if "call_seconds" in ours and "call_seconds" in theirs:
            ours["speedup_call"] = round(float(theirs["call_seconds"])
                                         / float(ours["call_seconds"]), 2)
    for stage, baseline in LATENCY_BASELINES.items():
        if stage not in by_stage or baseline not in by_stage:
            continue
        ours, theirs = by_stage[stage], by_stage[baseline]
        ours.pop("p99_ratio_to_baseline", None)
        if ours.get("run") == theirs.get("run"):
            ours["baseline"] = baseline
            ours["p99_ratio_to_baseline"] = round(
                float(ours["latency"]["p99_ms"]) / float(theirs["latency"]["p99_ms"]), 4)


SERVICE_STAGES = ("publish_redis", "stock_materialize_redis", "serve_latency_redis")


def _services_up() -> bool:
    import socket

    for port in (5432, 6379):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
        except OSError:
            return False
    return True


def _reset_feast(work: Path, stage: str) -> None:
    """Measure a first publish: no registry, no online data yet."""
    import shutil

    import psycopg2
    import redis

    if stage == "publish_sqlite":
        shutil.rmtree(work / "data" / "feast", ignore_errors=True)
        return
    redis.Redis(host="127.0.0.1", port=6379, db=13).flushdb()
    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("drop database if exists mfs_registry_bench with (force)")
    conn.close()


def _ensure_production(work: Path) -> None:
    """Serving needs a production version: if a model has none (the training stages run with
    --no-promote), make its newest version production, recorded as a bench decision."""
    from training.registry import Registry

    registry = Registry(work / "data" / "models")
    for model in ("purchase_propensity", "lead_scoring"):
        if registry.production(model) is None and registry.versions(model):
            newest = registry.versions(model)[-1]["version"]
            registry.set_production(model, newest, "bench: serve the newest version")


def _copy_models(source: Path, work: Path) -> None:
    import shutil

    target = work / "data" / "models"
    for model_dir in sorted(p for p in source.iterdir() if p.is_dir()):
        if not (target / model_dir.name).exists():
            shutil.copytree(model_dir, target / model_dir.name)


def _same_frames(work: Path) -> bool:
    import pandas as pd

    ours = read_frame(work / "training_set.parquet")
    theirs = read_frame(work / "asof_baseline.parquet")
    try:
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
    except AssertionError as exc:
        print(f"training_set and the ASOF baseline differ: {exc}", file=sys.stderr)
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="100k")
    parser.add_argument("--stages", default=",".join(ALL_STAGES))
    parser.add_argument("--work", type=Path, default=Path("bench/work"))
    parser.add_argument("--days", type=int, default=365,
                        help="days of history (results of a shorter history are kept apart, "
                        "in <scale>-<days>d.json)")
    parser.add_argument("--models-from", type=Path, default=None,
                        help="copy models missing from this run's registry from another "
                        "run's (e.g. bench/work/100k/data/models) before the serving stages")
    args = parser.parse_args()
    customers = SCALES[args.scale]
    label = args.scale if args.days == 365 else f"{args.scale}-{args.days}d"
    work = args.work / label
    raw = work / "raw"
    cut = work / "raw_minus_one_day"
    data = {"MFS_DATA_DIR": str(work / "data")}
    mfs = str(Path(sys.executable).with_name("mfs"))
    stages_cmd = [sys.executable, "-m", "bench.feast_stages"]
    fit_cmd = [sys.executable, "-m", "bench.training_stages", "fit"]
    serve_cmd = [sys.executable, "-m", "bench.serving_stages"]
    latency_cmd = [*serve_cmd, "latency", "--rate", "200", "--seconds", "60", "--workers", "2",
                   "--server"]
    truth = {"MFS_TRUTH_DIR": str(work / "truth")}
    stages = {
        "generate": ([mfs, "generate", "--customers", str(customers), "--days", str(args.days),
                      "--end", END_DATE, "--seed", "42", "--out", str(raw), "--json"], None),
        "validate": ([mfs, "validate", str(raw), "--json"], None),
        # Full build on all days but the last, then the last day incrementally.
        "build_full": ([mfs, "build", "--raw", str(cut), "--full-refresh", "--freshness", "skip",
                        "--json"], data),
        "build_incremental_one_day": ([mfs, "build", "--raw", str(raw), "--freshness", "skip",
                                       "--json"], data),
        "publish_sqlite": ([mfs, "publish", "--json"], data),
        "stock_materialize_sqlite": ([*stages_cmd, "stock-materialize", "--online", "sqlite",
                                      "--work", str(work / "stock")], data),
        "publish_redis": ([mfs, "publish", "--json"], {**data, **PROD}),
        "stock_materialize_redis": ([*stages_cmd, "stock-materialize", "--online", "redis",
                                     "--work", str(work / "stock")], data),
        "training_set": ([*stages_cmd, "training-set", "--rows", "1000000", "--out",
                          str(work / "training_set.parquet")], data),
        "asof_join_baseline": ([*stages_cmd, "asof-baseline", "--rows", "1000000", "--out",
                                str(work / "asof_baseline.parquet")], data),
        # Fitting on the ~1M-row frame the training_set stage wrote.
        "xgboost_fit": ([*fit_cmd, "--learner", "xgboost", "--frame",
                         str(work / "training_set.parquet")], data),
        "logistic_fit": ([*fit_cmd, "--learner", "logistic", "--frame",
                          str(work / "training_set.parquet")], data),
        # The whole training job, with the generator's truth for the oracle.
        "train_purchase_propensity": ([mfs, "train", "purchase-propensity", "--no-promote",
                                       "--json"], {**data, **truth}),
        "train_lead_scoring": ([mfs, "train", "lead-scoring", "--no-promote", "--json"],
                               {**data, **truth}),
        # Serving: every current customer scored from the offline store, against Feast's SDK.
        "score_batch": ([mfs, "score", "purchase-propensity", "--json"], data),
        "score_batch_feast_sdk": ([*serve_cmd, "batch-feast-sdk"], data),
        # One customer a request at 200 requests/s for 60 s, from this machine's loopback,
        # both servers with two worker processes (one per core).
        "serve_latency_sqlite": ([*latency_cmd, "mfs"], data),
        "serve_latency_sqlite_no_reasons": ([*latency_cmd, "mfs", "--reasons", "0"], data),
        "feast_serve_latency_sqlite": ([*latency_cmd, "feast"], data),
        "serve_latency_redis": ([*latency_cmd, "mfs"], {**data, **PROD}),
    }
    results = []
    run_started = datetime.now(UTC).isoformat(timespec="seconds")
    for name in [s for s in args.stages.split(",") if s]:  # none: re-render the results
        if name == "build_full":
            cut_at = f"{date.fromisoformat(END_DATE) - timedelta(days=1)}T00:00:00+00:00"
            subprocess.run([sys.executable, "-m", "mfs.contract.truncate", str(raw), str(cut),
                            cut_at], check=True)
        if name in SERVICE_STAGES and not _services_up():
            print(f"{name:>26}: skipped: PostgreSQL or Redis not reachable on 127.0.0.1 (see "
                  "README to start them)", flush=True)
            continue
        if name in ("publish_sqlite", "publish_redis"):
            _reset_feast(work, name)
        if name in SERVING_STAGES:
            if args.models_from is not None:
                _copy_models(args.models_from, work)
            _ensure_production(work)
        argv, env = stages[name]
        results.append({**measure(name, argv, env), "run": run_started})
        r = results[-1]
        print(f"{name:>26}: {r['seconds']:8.2f} s  peak {r['peak_rss_mib']:8.1f} MiB"
              f"   $ {r['command']}", flush=True)
    ran = {r["stage"] for r in results}
    if {"training_set", "asof_join_baseline"} <= ran:
        results[[r["stage"] for r in results].index("training_set")][
            "same_frame_as_baseline"] = _same_frames(work)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{label}.json"
    previous = json.loads(path.read_text()) if path.exists() else {"stages": []}
    merged = {r["stage"]: r for r in previous.get("stages", [])}
    merged.update({r["stage"]: r for r in results})
    compare(merged)
    out = {
        "scale": args.scale, "customers": customers, "days": args.days,
        "models_from": str(args.models_from) if args.models_from else None,
        # A re-render (no stage run) keeps when and where the figures were measured.
        "measured_at": (datetime.now(UTC).isoformat(timespec="seconds") if results
                        else previous.get("measured_at")),
        "machine": machine() if results else previous.get("machine", machine()),
        "stages": list(merged.values()),
    }
    path.write_text(json.dumps(out, indent=2) + "\n")
    history = "" if args.days == 365 else f", {args.days} days of history"
    borrowed = (f" Serving stages used the models of `{args.models_from}` (scoring speed "
                "depends on the model's trees, not on where it was trained)."
                if args.models_from else "")
    reproduce = (f"python -m bench.run --scale {args.scale}"
                 + (f" --days {args.days}" if args.days != 365 else "")
                 + (f" --models-from {args.models_from}" if args.models_from else "")
                 + " --stages " + ",".join(r["stage"] for r in out["stages"]))
    lines = [f"# Benchmark at {args.scale} ({customers:,} customers{history})", "",
             f"Machine: {out['machine']}", "",
             f"Reproduce (later stages read the data that generate, build_full and "
             f"publish_sqlite make: run those first if they are not listed): "
             f"`{reproduce}`", "",
             "Seconds are the stage's whole process; call seconds the timed work alone (no "
             "interpreter start or imports). Speedup = baseline seconds / stage seconds, "
             "only for a baseline measured in the same run (call speedup likewise)." + borrowed,
             "",
             "| stage | seconds | call seconds | peak RSS (MiB) | baseline | speedup "
             "| call speedup | run | command |",
             "|---|---:|---:|---:|---|---:|---:|---|---|"]
    lines += [f"| {r['stage']} | {r['seconds']} | {r.get('call_seconds', '')} | "
              f"{r['peak_rss_mib']} | {r.get('baseline', '')} | {r.get('speedup', '')} | "
              f"{r.get('speedup_call', '')} | {r.get('run', '')} | `{r['command']}` |"
              for r in out["stages"]]
    lines += build_phase_lines(out["stages"])
    lines += quality_lines(out["stages"])
    lines += latency_lines(out["stages"])
    (RESULTS / f"{label}.md").write_text("\n".join(lines) + "\n")


def build_phase_lines(stages: list[dict[str, object]]) -> list[str]:
    """Where each measured build's time went: the `dbt build` call, the export, the rest."""
    builds = [r for r in stages if "dbt_seconds" in r]
    if not builds:
        return []
    lines = ["", "## Build phases", "",
             "Call seconds exclude the interpreter's start and imports; the rest is the raw "
             "layout and schema checks, source freshness when checked, and the rejected-rows "
             "summary.", "",
             "| stage | call seconds | dbt build | export | rest |", "|---|---:|---:|---:|---:|"]
    for r in builds:
        call, dbt, export = (float(r[k]) for k in ("call_seconds", "dbt_seconds",
                                                    "export_seconds"))
        lines.append(f"| {r['stage']} | {call} | {dbt} | {export} | "
                     f"{round(call - dbt - export, 2)} |")
    return lines


def quality_lines(stages: list[dict[str, object]]) -> list[str]:
    """Model quality on the test window, for the stages that trained a model."""
    trained = [r for r in stages if "quality" in r]
    if not trained:
        return []
    lines = ["", "## Model quality (test window)", "",
             "| model | train rows | test rows | model AUC | oracle AUC | model/oracle | "
             "model lift@10% | oracle lift@10% | rule AUC | logistic AUC | gate |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in trained:
        q = r["quality"]
        rule = next(v for k, v in q.items() if k.startswith("rule_"))
        oracle = q.get("oracle", {"roc_auc": "", "top_decile_lift": ""})
        lines.append(
            f"| {str(r['stage']).removeprefix('train_')} | {q['train_rows']:,} | "
            f"{q['test_rows']:,} | {q['model']['roc_auc']} | {oracle['roc_auc']} | "
            f"{q.get('auc_ratio_to_oracle', '')} | {q['model']['top_decile_lift']} | "
            f"{oracle['top_decile_lift']} | {rule['roc_auc']} | "
            f"{q['logistic_regression']['roc_auc']} | {q['gate']} |")
    return lines


def latency_lines(stages: list[dict[str, object]]) -> list[str]:
    """One-entity scoring latency at a fixed request rate, against `feast serve`."""
    measured = [r for r in stages if "latency" in r]
    if not measured:
        return []
    lines = ["", "## Online latency (one entity a request, fixed rate, loopback)", "",
             "Latency counts from when each request was due (open loop), so a server that falls "
             "behind pays for its queue. `mfs serve` returns the score, decile and 3 reason "
             "codes; `feast serve` only the features.", "",
             "| stage | target req/s | achieved | requests | errors | p50 ms | p90 ms | p99 ms | "
             "max ms | p99 / baseline p99 |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in measured:
        lat = r["latency"]
        lines.append(f"| {r['stage']} | {lat['target_rps']} | {lat['achieved_rps']} | "
                     f"{lat['requests']:,} | {lat['errors']} | {lat['p50_ms']} | "
                     f"{lat['p90_ms']} | {lat['p99_ms']} | {lat['max_ms']} | "
                     f"{r.get('p99_ratio_to_baseline', '')} |")
    return lines


if __name__ == "__main__":
    main()
