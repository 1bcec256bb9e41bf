"""The API under a fixed-rate load for 60 s from a second process on loopback: no errors.

The load generator is the benchmark's (bench/serving_stages.py, bench/loadgen.py): open loop,
one known customer a request, each entity scored once. Latency is the benchmark's business
(bench/results/); here only correctness under sustained load is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mfs.paths import REPO_ROOT
from tests.served import ServedWorld

pytestmark = pytest.mark.slow


def test_sixty_seconds_of_load_answer_without_an_error(served_world: ServedWorld) -> None:
    env = {**os.environ, **served_world.env}
    env.pop("MFS_FEAST_ENV", None)
    result = subprocess.run(
        [sys.executable, "-m", "bench.serving_stages", "latency", "--server", "mfs",
         "--rate", "50", "--seconds", "60", "--workers", "1"],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    load = json.loads(result.stdout.strip().splitlines()[-1])["latency"]
    assert load["requests"] == 3000
    assert load["errors"] == 0, load["first_error"]
    assert load["achieved_rps"] == 50.0
