"""The purchase model against its classical baselines (BG/NBD, logistic regression, RFM) at
several label horizons, on the default synthetic data and on the `transactions` profile (a B2C
shop's two-table export: contacts and orders only, customers acquired in bursts): the same
test rows for every scorer, differences with 95% paired-bootstrap intervals. Writes
bench/results/horizons.{json,md}.

    python -m bench.horizons [--customers 5000] [--days 730] [--horizons 30,180]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from datetime import time as day_time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
END_DATE = "2026-06-30"
MFS = str(Path(sys.executable).with_name("mfs"))


def mfs(env: dict[str, str], *args: str) -> dict:
    proc = subprocess.run([MFS, *args, "--json"], env=env, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"mfs {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def measure(work: Path, profile: str, raw: Path, horizon: int) -> dict:
    data = work / f"{profile}-{horizon}d"
    env = {**os.environ, "MFS_DATA_DIR": str(data), "MFS_RAW_DIR": str(raw),
           "MFS_TRUTH_DIR": str(raw.parent / "truth"),
           "MFS_NOW": datetime.combine(datetime.fromisoformat(END_DATE).date(), day_time(6),
                                       tzinfo=UTC).isoformat()}
    started = time.perf_counter()
    mfs(env, "build", "--vars", json.dumps({"purchase_label_days": horizon}))
    mfs(env, "publish")
    card = mfs(env, "train", "purchase-propensity", "--no-promote")
    test = card["test"]
    return {
        "profile": profile, "horizon_days": horizon,
        "test_rows": test["model"]["rows"], "positives": test["model"]["positives"],
        "test_window": [card["split"]["test"]["first_as_of"], card["split"]["test"]["last_as_of"]],
        "scorers": {name: {"roc_auc": test[name]["roc_auc"],
                           "top_decile_lift": test[name]["top_decile_lift"]} for name in test},
        "model_minus": card["versus_baselines"],
        "seconds": round(time.perf_counter() - started, 1),
    }


def markdown(results: list[dict], command: str) -> str:
    lines = ["# The purchase model against classical baselines, by horizon", "",
             f"Command: `{command}`", "",
             "Same test rows and as-of times for every scorer; model minus baseline with a 95% "
             "paired bootstrap by customer (200 rounds).", "",
             "| data | horizon | test rows | scorer | ROC-AUC | lift@10% | model minus it: "
             "ROC-AUC [95% CI] | lift@10% [95% CI] |", "|" + "---|" * 8]
    for r in results:
        for name, s in r["scorers"].items():
            diff = r["model_minus"].get(name)
            cells = ["", ""] if diff is None else [
                f"{diff[m]['difference']:+.4f} [{diff[m]['low']:+.4f}, {diff[m]['high']:+.4f}]"
                for m in ("roc_auc", "top_decile_lift")]
            lines.append(f"| {r['profile']} | {r['horizon_days']} d | {r['test_rows']:,} | "
                         f"{name} | {s['roc_auc']:.4f} | {s['top_decile_lift']:.2f} | "
                         + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--horizons", default="30,180")
    parser.add_argument("--work", type=Path, default=Path("bench/work/horizons"))
    args = parser.parse_args()
    command = "python -m bench.horizons " + shlex.join(sys.argv[1:])
    worlds = {}
    for profile in ("full", "transactions"):
        raw = args.work / profile / "raw"
        subprocess.run([MFS, "generate", "-n", str(args.customers), "--days", str(args.days),
                        "--end", END_DATE, "--profile", profile, "--out", str(raw)],
                       check=True, capture_output=True)
        worlds["synthetic" if profile == "full" else profile] = raw
    results = []
    for horizon in (int(h) for h in args.horizons.split(",")):
        for profile, raw in worlds.items():
            results.append(measure(args.work, profile, raw, horizon))
            print(json.dumps(results[-1]["model_minus"]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    stamp = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
             "command": command, "customers": args.customers, "days": args.days}
    (RESULTS / "horizons.json").write_text(json.dumps({**stamp, "results": results}, indent=2)
                                           + "\n")
    (RESULTS / "horizons.md").write_text(markdown(results, command))


if __name__ == "__main__":
    main()
