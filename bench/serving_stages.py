"""Benchmark stages for serving. Each prints one JSON line with `seconds` and its figures:

  latency --server mfs|feast [--rate 200] [--seconds 60]
      one-entity requests at a fixed rate from this process (bench/loadgen.py) to a server
      started here: `mfs serve` (score + decile + 3 reason codes, purchase_propensity) or
      `feast serve` (`/get-online-features` of the same feature service, features only), for
      the same random known customers. MFS_FEAST_ENV=prod serves from Redis.
  batch-feast-sdk
      the stock way to score everyone through Feast: `get_online_features` for every current
      customer, 1,000 at a time, then the same model: the baseline of `mfs score`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

MODEL, SERVICE = "purchase_propensity", "purchase_propensity_v1"
WARMUP_REQUESTS = 300
SAMPLE = 20_000  # distinct customers; requests cycle through them only if there are fewer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def known_customers() -> list[str]:
    from mfs.featurestore.store import open_store
    from serving.batch import current_entities
    from serving.online import published_as_of, service_views

    store = open_store()
    as_of = published_as_of(service_views(store, SERVICE))
    ids = current_entities(store, SERVICE, as_of)
    return random.Random(42).sample(ids, min(SAMPLE, len(ids)))


@contextlib.contextmanager
def server(kind: str, port: int, api_key: str, workers: int
           ) -> Iterator[tuple[str, subprocess.Popen]]:
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "MFS_API_KEYS": api_key}
    if kind == "mfs":
        argv = [str(bin_dir / "mfs"), "serve", "--port", str(port), "--log-level", "warning",
                "--workers", str(workers)]
        ready = "/health/ready"
    else:
        from mfs import paths
        from mfs.featurestore.store import FEATURE_REPO, write_resolved_yaml

        yaml_path = write_resolved_yaml(Path(tempfile.mkdtemp()) / "feature_store.yaml")
        env["MFS_FEATURES_DIR"] = str(paths.features_dir().resolve())
        argv = [str(bin_dir / "feast"), "-c", str(FEATURE_REPO), "-f", str(yaml_path), "serve",
                "-p", str(port), "--no-access-log", "--workers", str(workers)]
        ready = "/health"
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{kind} server exited: {process.stderr.read().decode()[-2000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + ready, timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"{kind} server did not get ready in 120 s")
            time.sleep(0.5)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def latency(kind: str, rate: float, seconds: float, workers: int, reasons: int
            ) -> dict[str, object]:
    from bench.loadgen import run_load

    ids = known_customers()
    api_key = secrets.token_urlsafe(32)
    if kind == "mfs":
        path, headers = f"/v1/models/{MODEL}/score", {"X-API-Key": api_key}

        def body(i: int) -> dict:
            return {"ids": [ids[i % len(ids)]], "reasons": reasons}
    else:
        path, headers = "/get-online-features", {}

        def body(i: int) -> dict:
            return {"feature_service": SERVICE, "entities": {"customer_id": [ids[i % len(ids)]]}}

    warmup = WARMUP_REQUESTS / rate

    def measured(i: int) -> dict:  # after the warm-up's ids: no entity is scored twice
        return body(i + WARMUP_REQUESTS)

    with server(kind, _free_port(), api_key, workers) as (url, _):
        run_load(url, path, body, headers, rate=rate, seconds=warmup)
        result = run_load(url, path, measured, headers, rate=rate, seconds=seconds)
    return {"server": kind, "workers": workers, "reasons": reasons if kind == "mfs" else None,
            "entities_sampled": len(ids),
            "latency": result.summary()}


def batch_feast_sdk() -> dict[str, object]:
    from mfs.featurestore.store import open_store
    from serving.batch import current_entities
    from serving.online import published_as_of, service_views
    from serving.scorer import Scorer

    store = open_store()
    scorer = Scorer.load(MODEL, store)
    as_of = published_as_of(service_views(store, SERVICE))
    ids = current_entities(store, SERVICE, as_of)
    service = store.get_feature_service(SERVICE)
    started = time.perf_counter()
    scored = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        frame = store.get_online_features(
            features=service, entity_rows=[{"customer_id": i} for i in chunk]).to_df()
        scored += len(scorer.probabilities(scorer.trained.encoder.transform(frame)))
    return {"seconds": round(time.perf_counter() - started, 2), "rows": scored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="stage", required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("--server", choices=("mfs", "feast"), required=True)
    lat.add_argument("--rate", type=float, default=200)
    lat.add_argument("--seconds", type=float, default=60)
    lat.add_argument("--workers", type=int, default=2, help="server processes (both servers)")
    lat.add_argument("--reasons", type=int, default=3, help="reason codes a score (mfs)")
    sub.add_parser("batch-feast-sdk")
    args = parser.parse_args()
    if args.stage == "latency":
        out = latency(args.server, args.rate, args.seconds, args.workers, args.reasons)
    else:
        out = batch_feast_sdk()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
