"""The tests' clock: `MFS_NOW` (mfs/clock.py) fixed for a block, so that no test depends on the
hour or the date it happens to run at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from mfs.clock import NOW_VARIABLE

# The whole suite's "now" (tests/conftest.py): after every fixed end date the tests generate
# data to (the shared data sets end 2026-06-30, the uplift world 2026-07-31), on a weekday
# morning, so that nothing the suite checks moves with the real clock.
SUITE_NOW = datetime(2026, 8, 4, 9, 30, tzinfo=UTC)


@contextmanager
def frozen_clock(at: datetime) -> Iterator[datetime]:
    """`MFS_NOW` = `at` inside the block (for this process and the dbt and mfs it starts)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(NOW_VARIABLE, at.isoformat())
        yield at
