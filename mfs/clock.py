"""What time it is, for every stage that compares data with "now".

The wall clock is an input like the raw files: generated data ends "today", the build refuses
rows from the future and caps the latest snapshot at the last midnight, freshness is measured
against it, and audience filters ("ordered in the last 30 days", GA4's 72 hours) count back
from it. Reading it in one place lets a run, or a test, fix it: `MFS_NOW` (an ISO 8601 time
with a zone, e.g. `2026-06-30T00:05:00Z`) stands in for the real clock in Python here and in
dbt (the `reference_time()` macro reads the same variable).

Timestamps that only record when something happened (a registry entry, a report's folder
name) keep the real clock: they describe the run, not the data.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

NOW_VARIABLE = "MFS_NOW"


class ClockError(ValueError):
    """`MFS_NOW` is set to something that is not a time with a zone."""


def parse_now(value: str) -> datetime:
    """An ISO 8601 time with a zone (`Z` or an offset), as UTC; anything else is an error."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ClockError(f"{NOW_VARIABLE}={value!r}: expected an ISO 8601 time with a zone, "
                         "e.g. 2026-06-30T00:05:00Z (unset it to use the real clock)")
    return parsed.astimezone(UTC)


def now() -> datetime:
    """The current time in UTC: `MFS_NOW` when set, else the real clock."""
    value = os.environ.get(NOW_VARIABLE)
    return parse_now(value) if value else datetime.now(UTC)


def today() -> date:
    """The current UTC date (of `now()`)."""
    return now().date()
