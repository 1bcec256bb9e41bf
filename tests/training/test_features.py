"""The model's encoder: the same frame always gives the same matrix, in training and serving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training.features import FeatureEncoder, FeatureFrameError, kind_of

KINDS = {"orders": "numeric", "is_b2b": "boolean", "channel": "categorical"}


def frame() -> pd.DataFrame:
    return pd.DataFrame({"orders": [1, None, 3], "is_b2b": [True, None, False],
                         "channel": ["search", None, "email"], "extra": ["x", "y", "z"]})


def test_encoding_keeps_missing_values_missing_and_codes_categories_in_sorted_order() -> None:
    encoder = FeatureEncoder.fit(frame(), KINDS)
    matrix = encoder.transform(frame())
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[:, 0], [1, np.nan, 3])
    np.testing.assert_array_equal(matrix[:, 1], [1, np.nan, 0])
    np.testing.assert_array_equal(matrix[:, 2], [1, np.nan, 0])  # email=0, search=1
    assert encoder.xgboost_types == ["q", "q", "c"]


def test_a_category_unseen_in_training_is_missing_not_another_code() -> None:
    encoder = FeatureEncoder.fit(frame(), KINDS)
    serving = pd.DataFrame({"orders": [2], "is_b2b": [True], "channel": ["tiktok"]})
    assert np.isnan(encoder.transform(serving)[0, 2])


def test_saved_and_loaded_encoders_transform_identically(tmp_path: Path) -> None:
    encoder = FeatureEncoder.fit(frame(), KINDS)
    encoder.save(tmp_path / "encoder.json")
    loaded = FeatureEncoder.load(tmp_path / "encoder.json")
    assert loaded == encoder
    np.testing.assert_array_equal(loaded.transform(frame()), encoder.transform(frame()))


def test_bad_frames_name_the_column() -> None:
    encoder = FeatureEncoder.fit(frame(), KINDS)
    with pytest.raises(FeatureFrameError, match=r"lacks the model's features \['channel'\]"):
        encoder.transform(frame().drop(columns="channel"))
    broken = frame().assign(orders=["1", "two", None])
    with pytest.raises(FeatureFrameError, match="feature orders: 1 values are not numbers"):
        encoder.transform(broken)
    with pytest.raises(FeatureFrameError, match="feature is_b2b: 1 values are not booleans"):
        encoder.transform(frame().assign(is_b2b=[True, "maybe", None]))


def test_feast_types_map_to_encodings() -> None:
    assert [kind_of(t) for t in ("STRING", "BOOL", "INT64", "DOUBLE")] == [
        "categorical", "boolean", "numeric", "numeric"]
    with pytest.raises(FeatureFrameError, match="BYTES has no model encoding"):
        kind_of("BYTES")


@st.composite
def feature_rows(draw: st.DrawFn) -> list[dict[str, object]]:
    row = st.fixed_dictionaries({
        "orders": st.one_of(st.none(), st.integers(-(2**40), 2**40),
                            st.floats(-1e30, 1e30), st.just(float("nan"))),
        "is_b2b": st.one_of(st.none(), st.booleans()),
        "channel": st.one_of(st.none(), st.sampled_from(["search", "email", "tiktok", ""])),
    })
    return draw(st.lists(row, min_size=1, max_size=20))


@given(rows=feature_rows())
@settings(max_examples=200, deadline=None)
def test_records_encode_exactly_like_a_frame_of_the_same_values(rows) -> None:
    """Online scoring encodes dicts, batch and training encode frames: the same matrix."""
    encoder = FeatureEncoder.fit(frame(), KINDS)
    as_frame = pd.DataFrame(rows)
    # The column types Feast's frames carry: nullable numbers as float64, bools as objects.
    as_frame["orders"] = pd.to_numeric(as_frame["orders"]).astype("float64")
    np.testing.assert_array_equal(encoder.transform_records(rows), encoder.transform(as_frame))


def test_records_with_wrong_types_name_the_feature() -> None:
    encoder = FeatureEncoder.fit(frame(), KINDS)
    with pytest.raises(FeatureFrameError, match="feature orders: 'two' is not a number"):
        encoder.transform_records([{"orders": "two"}])
    with pytest.raises(FeatureFrameError, match="feature is_b2b: 'yes' is not a boolean"):
        encoder.transform_records([{"is_b2b": "yes"}])
