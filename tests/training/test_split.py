"""The time split never lets training or early stopping see the test window, by construction
and by check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.config import SplitConfig
from training.split import LeakError, SplitError, TimeSplit, check_no_leak, time_split

MONDAY = pd.Timestamp("2025-07-07", tz="UTC")


def weekly_rows(weeks: int, per_week: int, horizon_days: int) -> tuple[pd.Series, pd.Series]:
    as_of = pd.Series(np.repeat([MONDAY + pd.Timedelta(weeks=w) for w in range(weeks)],
                                per_week))
    return as_of, as_of + pd.Timedelta(days=horizon_days)


def test_parts_are_ordered_and_the_purge_spans_the_label_horizon() -> None:
    as_of, known = weekly_rows(weeks=40, per_week=3, horizon_days=30)
    split = time_split(as_of, known, SplitConfig(test_days=28, validation_days=28))
    first_test = as_of[split.test].min()
    assert as_of[split.test].nunique() == 4
    assert as_of[split.validation].nunique() == 4
    assert known[split.train | split.validation].max() <= first_test
    # The weeks whose labels were still open at the first test as-of time are used nowhere.
    unused = ~(split.train | split.validation | split.test)
    assert set(as_of[unused]) == {first_test - pd.Timedelta(weeks=w) for w in (1, 2, 3, 4)}
    assert as_of[split.train].max() < as_of[split.validation].min()


def test_history_days_limits_how_far_back_training_reaches() -> None:
    as_of, known = weekly_rows(weeks=40, per_week=1, horizon_days=7)
    split = time_split(as_of, known, SplitConfig(test_days=7, validation_days=7,
                                                 history_days=70))
    assert as_of[split.train].nunique() == 10


def test_too_little_history_is_a_clear_error() -> None:
    as_of, known = weekly_rows(weeks=6, per_week=2, horizon_days=90)
    with pytest.raises(SplitError, match="no rows to train on"):
        time_split(as_of, known, SplitConfig(test_days=14, validation_days=14))


def test_the_leak_check_catches_a_test_time_in_training() -> None:
    as_of, known = weekly_rows(weeks=20, per_week=2, horizon_days=7)
    good = time_split(as_of, known, SplitConfig(test_days=14, validation_days=14))
    leaky_train = good.train.copy()
    leaky_train[np.flatnonzero(good.test)[0]] = True
    test = good.test.copy()
    test[np.flatnonzero(good.test)[0]] = False
    bad = TimeSplit(leaky_train, good.validation, test, good.windows)
    with pytest.raises(LeakError):
        check_no_leak(bad, as_of, known)


def test_the_leak_check_catches_a_label_known_only_after_the_test_window_began() -> None:
    as_of, known = weekly_rows(weeks=20, per_week=2, horizon_days=7)
    split = time_split(as_of, known, SplitConfig(test_days=14, validation_days=14))
    late = known.copy()
    late[np.flatnonzero(split.train)[0]] = as_of.max() + pd.Timedelta(days=1)
    with pytest.raises(LeakError, match="known only after"):
        check_no_leak(split, as_of, late)


@settings(max_examples=60, deadline=None)
@given(weeks=st.integers(8, 60), horizon=st.integers(1, 120), test_days=st.integers(1, 60),
       validation_days=st.integers(1, 60), irregular=st.lists(st.integers(0, 6), max_size=8))
def test_no_split_ever_leaks(weeks: int, horizon: int, test_days: int, validation_days: int,
                             irregular: list[int]) -> None:
    as_of, known = weekly_rows(weeks, per_week=2, horizon_days=horizon)
    # A few off-grid as-of times (like the "latest day" snapshot).
    if irregular:
        extra = pd.Series([MONDAY + pd.Timedelta(weeks=weeks - 1, days=d) for d in irregular])
        as_of = pd.concat([as_of, extra], ignore_index=True)
        known = pd.concat([known, extra + pd.Timedelta(days=horizon)], ignore_index=True)
    try:
        split = time_split(as_of, known, SplitConfig(test_days=test_days,
                                                     validation_days=validation_days))
    except SplitError:
        return
    first_test = as_of[split.test].min()
    assert not set(as_of[split.test]) & set(as_of[split.train | split.validation])
    assert known[split.train | split.validation].max() <= first_test
    assert as_of[split.train].max() < as_of[split.validation].min()
