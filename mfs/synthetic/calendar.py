"""The generated time axis: day indices, snapshot days and microsecond timestamps in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from mfs.synthetic.truth import season

MICROS_PER_DAY = 86_400_000_000
SNAPSHOT_EVERY_DAYS = 7


@dataclass(frozen=True)
class Calendar:
    """Days [0, days) end at `end` (exclusive, midnight UTC); day d starts at start + d days."""

    end: date
    days: int

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days)

    @property
    def start_micros(self) -> int:
        start = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        return int(start.timestamp()) * 1_000_000

    @property
    def end_micros(self) -> int:
        return self.start_micros + self.days * MICROS_PER_DAY

    def day_micros(self, day: np.ndarray | int) -> np.ndarray:
        return self.start_micros + np.asarray(day, dtype=np.int64) * MICROS_PER_DAY

    def snapshot_days(self) -> list[int]:
        """Snapshot day indices: every Monday 00:00 UTC, plus the end (the latest day).

        Mondays, not "every 7 days back from the end", so that a new day of data never shifts
        the grid: this is the dbt marts' default cadence, and the truth lines up with it.
        """
        monday_offset = (7 - self.start.weekday()) % 7
        mondays = range(monday_offset or 7, self.days, SNAPSHOT_EVERY_DAYS)
        return sorted({*mondays, self.days})

    def season_by_day(self, extra_days: int = 0) -> np.ndarray:
        """Purchase-logit seasonal shift for day indices [0, days + extra_days)."""
        n = self.days + extra_days
        dates = np.datetime64(self.start.isoformat()) + np.arange(n).astype("timedelta64[D]")
        day_of_year = (dates - dates.astype("datetime64[Y]")).astype(int) + 1
        weekday = (dates.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 = Thursday
        return season(day_of_year, weekday)

    def newsletter_by_day(self) -> np.ndarray:
        """The monthly newsletter's utm_campaign for each day, e.g. `newsletter_2026_03`."""
        months = [
            (self.start + timedelta(days=d)).strftime("newsletter_%Y_%m") for d in range(self.days)
        ]
        return np.asarray(months, dtype=object)
