"""Run the benchmark stages at one scale and write bench/results/<scale>.{json,md}.

Each stage runs as a child process so its wall time and peak RSS are its own. Stages that do
not exist yet in the pipeline are simply not listed. Usage:

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

SCALES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
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
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


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
    return {
        "stage": name,
        # As a user types it from the repo root with the virtualenv active.
        "command": " ".join(f"{k}={v}" for k, v in (env or {}).items()) + (" " if env else "")
        + shlex.join([Path(argv[0]).name, *argv[1:]]),
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_kb / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="100k")
    parser.add_argument("--stages",
                        default="generate,validate,build_full,build_incremental_one_day")
    parser.add_argument("--work", type=Path, default=Path("bench/work"))
    args = parser.parse_args()
    customers = SCALES[args.scale]
    work = args.work / args.scale
    raw = work / "raw"
    cut = work / "raw_minus_one_day"
    data = {"MFS_DATA_DIR": str(work / "data")}
    mfs = str(Path(sys.executable).with_name("mfs"))
    stages = {
        "generate": ([mfs, "generate", "--customers", str(customers), "--end", END_DATE,
                      "--seed", "42", "--out", str(raw), "--json"], None),
        "validate": ([mfs, "validate", str(raw), "--json"], None),
        # Full build on all days but the last, then the last day incrementally.
        "build_full": ([mfs, "build", "--raw", str(cut), "--full-refresh", "--freshness", "skip",
                        "--json"], data),
        "build_incremental_one_day": ([mfs, "build", "--raw", str(raw), "--freshness", "skip",
                                       "--json"], data),
    }
    results = []
    for name in args.stages.split(","):
        if name == "build_full":
            cut_at = f"{date.fromisoformat(END_DATE) - timedelta(days=1)}T00:00:00+00:00"
            subprocess.run([sys.executable, "-m", "mfs.contract.truncate", str(raw), str(cut),
                            cut_at], check=True)
        argv, env = stages[name]
        results.append(measure(name, argv, env))
        r = results[-1]
        print(f"{name:>26}: {r['seconds']:8.2f} s  peak {r['peak_rss_mib']:8.1f} MiB"
              f"   $ {r['command']}", flush=True)
    by_stage = {r["stage"]: r for r in results}
    if "build_full" in by_stage and "build_incremental_one_day" in by_stage:
        by_stage["build_incremental_one_day"]["ratio_to_build_full"] = round(
            float(by_stage["build_incremental_one_day"]["seconds"])
            / float(by_stage["build_full"]["seconds"]), 3)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "scale": args.scale, "customers": customers,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(), "stages": results,
    }
    path = RESULTS / f"{args.scale}.json"
    previous = json.loads(path.read_text()) if path.exists() else {"stages": []}
    merged = {r["stage"]: r for r in previous.get("stages", [])}
    merged.update({r["stage"]: r for r in results})
    out["stages"] = list(merged.values())
    path.write_text(json.dumps(out, indent=2) + "\n")
    lines = [f"# Benchmark at {args.scale} ({customers:,} customers)", "",
             f"Machine: {out['machine']}", "",
             "| stage | seconds | peak RSS (MiB) | ratio to baseline | command |",
             "|---|---:|---:|---:|---|"]
    lines += [f"| {r['stage']} | {r['seconds']} | {r['peak_rss_mib']} | "
              f"{r.get('ratio_to_build_full', '')} | `{r['command']}` |" for r in out["stages"]]
    (RESULTS / f"{args.scale}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
