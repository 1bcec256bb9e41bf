"""mfs.clock: one injectable "now" (MFS_NOW), with an error a user can act on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from mfs import clock
from mfs.synthetic.generate import GenerateOptions, generate
from tests.clock import frozen_clock


def test_mfs_now_fixes_the_clock_in_utc() -> None:
    with frozen_clock(datetime(2026, 6, 30, 23, 55, tzinfo=UTC)):
        assert clock.now() == datetime(2026, 6, 30, 23, 55, tzinfo=UTC)
        assert clock.today() == date(2026, 6, 30)
    assert clock.parse_now("2026-07-01T01:30:00+02:00") == datetime(2026, 6, 30, 23, 30,
                                                                   tzinfo=UTC)
    assert clock.parse_now("2026-06-30T00:05:00Z").tzinfo is UTC


def test_without_mfs_now_the_clock_is_the_real_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.NOW_VARIABLE)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


@pytest.mark.parametrize("value", ["2026-06-30", "2026-06-30T00:05:00", "yesterday"])
def test_a_time_without_a_zone_is_refused_with_the_fix(value: str) -> None:
    with pytest.raises(clock.ClockError, match=r"MFS_NOW=.*expected an ISO 8601 time with a zone"):
        clock.parse_now(value)


def test_the_generator_refuses_an_end_after_now(tmp_path: Path) -> None:
    with frozen_clock(datetime(2026, 6, 30, 12, tzinfo=UTC)), \
            pytest.raises(ValueError, match=r"after now .* the latest end is 2026-06-30"):
        generate(GenerateOptions(out=tmp_path / "raw", customers=10, days=40,
                                 end=date(2026, 7, 1)))
    assert not (tmp_path / "raw").exists()  # refused before anything was written
