"""Shared fixtures: small generated data sets, built once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from mfs.synthetic.generate import GenerateOptions, GenerateSummary, generate
from tests.builds import Built, run_build
from tests.clock import SUITE_NOW, frozen_clock
from tests.served import served_world  # noqa: F401  (a session fixture shared by packages)

END = date(2026, 6, 30)
SMALL = 1000


@pytest.fixture(scope="session", autouse=True)
def _suite_clock() -> Iterator[None]:
    """Every test, and every mfs or dbt process a test starts, sees the same "now" (`MFS_NOW`);
    tests of the clock itself set their own with `tests.clock.frozen_clock`."""
    with frozen_clock(SUITE_NOW):
        yield


def make_raw(root: Path, **kwargs: object) -> GenerateSummary:
    opts = GenerateOptions(out=root / "raw", truth_out=root / "truth", end=END, **kwargs)
    return generate(opts)


@pytest.fixture(scope="session")
def clean_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1k customers, one year, seed 42: the shared clean data set (do not modify it)."""
    root = tmp_path_factory.mktemp("clean")
    make_raw(root, customers=SMALL, seed=42)
    return root / "raw"


@pytest.fixture(scope="session")
def dirty_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same data set with every planted defect class (`_dirty_counts.json` beside it)."""
    root = tmp_path_factory.mktemp("dirty")
    make_raw(root, customers=SMALL, seed=42, dirty=True)
    return root / "raw"


# Builds of the shared generated data sets, made once per session and reused read-only.
@pytest.fixture(scope="session")
def clean_build(clean_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    built = run_build(tmp_path_factory.mktemp("clean_build"), clean_raw)
    assert built.summary.success, (built.summary.failing, built.summary.errors)
    return built


@pytest.fixture(scope="session")
def dirty_build(dirty_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return run_build(tmp_path_factory.mktemp("dirty_build"), dirty_raw)


SERVICES = {"postgresql": ("127.0.0.1", 5432), "redis": ("127.0.0.1", 6379)}


def _reachable(host: str, port: int) -> bool:
    import socket

    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_services() -> None:
    """Skip loudly without PostgreSQL/Redis, or fail under CI (MFS_REQUIRE_SERVICES=1)."""
    down = [name for name, (host, port) in SERVICES.items() if not _reachable(host, port)]
    if not down:
        return
    message = (f"{', '.join(down)} not reachable on 127.0.0.1 (see README: start them, or run "
               "without MFS_REQUIRE_SERVICES to skip)")
    if os.environ.get("MFS_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _require_services(request: pytest.FixtureRequest) -> None:
    """Tests marked `services` need the servers (module fixtures that use them call
    `require_services` themselves: they are set up before this function-scoped check)."""
    if request.node.get_closest_marker("services") is not None:
        require_services()
