"""The time split: train on earlier as-of times, early-stop on later ones, report on the last.

    as-of time ─────────────────────────────────────────────────────────────────>
    [ train ................ ][ validation ]  (purge: label horizon)  [ test ]

The test window is the last `test_days` of as-of times with complete labels. Training and
validation keep only rows whose label window has closed by the first test as-of time, so no
outcome that happened in the test period reaches the model, the early stopping or the baselines'
calibration. Validation is the last `validation_days` of those rows. `check_no_leak` states the
guarantees and is run on every split the training job makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from training.config import SplitConfig

DAY = pd.Timedelta(days=1)


class SplitError(ValueError):
    """The data cannot be split as configured (names the window that came out empty)."""


class LeakError(AssertionError):
    """A split broke a time-split guarantee (a bug, never a data problem)."""


@dataclass(frozen=True)
class TimeSplit:
    train: np.ndarray  # boolean masks over the frame's rows
    validation: np.ndarray
    test: np.ndarray
    windows: dict[str, tuple[pd.Timestamp, pd.Timestamp]]  # first/last as-of time per part

    def describe(self) -> dict[str, dict[str, str | int]]:
        rows = {"train": self.train, "validation": self.validation, "test": self.test}
        return {part: {"first_as_of": str(first), "last_as_of": str(last),
                       "rows": int(rows[part].sum())}
                for part, (first, last) in self.windows.items()}


def time_split(as_of: pd.Series, label_known_at: pd.Series, config: SplitConfig) -> TimeSplit:
    """Masks for train, validation and test over rows with these as-of and label-known times."""
    as_of = pd.to_datetime(as_of, utc=True)
    known = pd.to_datetime(label_known_at, utc=True)
    last = as_of.max()
    test_start = last - config.test_days * DAY + timedelta(microseconds=1)
    test = (as_of >= test_start).to_numpy()
    fit = ((known <= as_of[test].min()) & ~pd.Series(test, index=as_of.index)).to_numpy()
    if not test.any() or not fit.any():
        raise SplitError(f"no rows to {'test' if not test.any() else 'train'} on: as-of times "
                         f"{as_of.min()} .. {last}, test_days={config.test_days}; generate more "
                         "history or shorten the windows in the model's yaml")
    fit_last = as_of[fit].max()
    validation = fit & (as_of > fit_last - config.validation_days * DAY).to_numpy()
    train = fit & ~validation
    if config.history_days is not None:
        train &= (as_of >= as_of[validation].min() - config.history_days * DAY).to_numpy()
    if not train.any():
        raise SplitError(f"no rows left to train on before the validation window starting "
                         f"{as_of[validation].min()}; shorten validation_days")
    windows = {part: (as_of[mask].min(), as_of[mask].max())
               for part, mask in (("train", train), ("validation", validation), ("test", test))}
    split = TimeSplit(train, validation, test, windows)
    check_no_leak(split, as_of, known)
    return split


def check_no_leak(split: TimeSplit, as_of: pd.Series, label_known_at: pd.Series) -> None:
    """The guarantees, checked on the rows themselves: parts are disjoint and ordered in time,
    no test as-of time appears in training or validation, and every label used for fitting was
    known before the first test as-of time."""
    as_of = pd.to_datetime(as_of, utc=True).to_numpy()
    known = pd.to_datetime(label_known_at, utc=True).to_numpy()
    train, validation, test = split.train, split.validation, split.test
    if (train & validation).any() or (train & test).any() or (validation & test).any():
        raise LeakError("a row belongs to two parts of the split")
    test_times = set(as_of[test].tolist())
    if test_times & set(as_of[train | validation].tolist()):
        raise LeakError("a test as-of time appears in training or validation")
    if as_of[train].max() >= as_of[validation].min():
        raise LeakError("training reaches into the validation window")
    if as_of[validation].max() >= as_of[test].min():
        raise LeakError("validation reaches into the test window")
    if known[train | validation].max() > as_of[test].min():
        raise LeakError("a label used for fitting was known only after the test window began")
