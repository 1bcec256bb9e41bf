"""A fixed-rate HTTP load generator (open loop), run in its own process beside the server.

Request i is due at start + i / rate. Each of `connections` threads owns one keep-alive
connection and sends every `connections`-th request, sleeping until it is due. Latency is
measured from when the request was *due*, not from when it was sent: if the server falls
behind, the wait counts (no coordinated omission). Bodies are encoded before the run, so the
client's own cost per request is a socket write and read.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np


@dataclass
class LoadResult:
    rate: float
    seconds: float
    requests: int
    errors: int
    latencies_ms: np.ndarray
    first_error: str | None

    def summary(self) -> dict[str, object]:
        lat = self.latencies_ms
        return {
            "target_rps": self.rate, "duration_s": self.seconds, "requests": self.requests,
            "errors": self.errors, "achieved_rps": round(self.requests / self.seconds, 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 3) if len(lat) else None,
            "p90_ms": round(float(np.percentile(lat, 90)), 3) if len(lat) else None,
            "p99_ms": round(float(np.percentile(lat, 99)), 3) if len(lat) else None,
            "max_ms": round(float(lat.max()), 3) if len(lat) else None,
            "first_error": self.first_error,
        }


def run_load(url: str, path: str, body_for: Callable[[int], dict], headers: dict[str, str],
             rate: float, seconds: float, connections: int = 4) -> LoadResult:
    parts = urlsplit(url)
    total = int(rate * seconds)
    bodies = [json.dumps(body_for(i)).encode() for i in range(total)]
    latencies = np.full(total, np.nan)
    errors: list[str] = []
    start = time.perf_counter() + 0.5
    all_headers = {"Content-Type": "application/json", **headers}

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        for i in range(offset, total, connections):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                conn.request("POST", path, body=bodies[i], headers=all_headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            latencies[i] = (time.perf_counter() - due) * 1000
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = latencies[~np.isnan(latencies)]
    return LoadResult(rate, seconds, total, len(errors), ok, errors[0] if errors else None)
