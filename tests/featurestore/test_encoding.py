"""The packed encoder writes exactly the values Feast's own materialization would write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
from feast import Entity, FeatureView, Field, FileSource, ValueType
from feast import types as feast_types
from feast.protos.feast.types.Value_pb2 import RepeatedValue
from feast.utils import _convert_arrow_to_proto
from hypothesis import given, settings
from hypothesis import strategies as st

from mfs.featurestore.dbt_features import FEAST_DTYPES
from mfs.featurestore.encoding import SUPPORTED_DTYPES, encode_rows, entity_keys_column
from mfs.featurestore.online.packed import key_text, layout_of

# Integers stay within 2**53: Feast converts nullable integer columns through float64.
INTS = st.integers(min_value=-(2**53), max_value=2**53)
COLUMNS = {
    "Float64": (pa.float64(), st.floats(allow_nan=True, allow_infinity=True)),
    "Float32": (pa.float32(), st.floats(width=32, allow_nan=True, allow_infinity=True)),
    "Int64": (pa.int64(), INTS),
    "Int32": (pa.int32(), st.integers(min_value=-(2**31), max_value=2**31 - 1)),
    "String": (pa.string(), st.text(max_size=300)),
    "Bool": (pa.bool_(), st.booleans()),
}


def _view(dtypes: list[str]) -> FeatureView:
    return FeatureView(
        name="fuzz",
        entities=[Entity(name="thing", join_keys=["thing_id"], value_type=ValueType.STRING)],
        schema=[Field(name="thing_id", dtype=feast_types.String)]
        + [Field(name=f"f{i}", dtype=getattr(feast_types, d)) for i, d in enumerate(dtypes)],
        source=FileSource(name="fuzz_source", path="unused.parquet", timestamp_field="ts"),
        ttl=timedelta(days=1),
    )


@st.composite
def tables(draw: st.DrawFn) -> tuple[pa.Table, list[str]]:
    dtypes = draw(st.lists(st.sampled_from(sorted(COLUMNS)), min_size=1, max_size=8))
    rows = draw(st.integers(min_value=1, max_value=20))
    columns = {"thing_id": pa.array([f"t{i}" for i in range(rows)])}
    for i, dtype in enumerate(dtypes):
        arrow_type, values = COLUMNS[dtype]
        cells = draw(st.lists(st.none() | values, min_size=rows, max_size=rows))
        columns[f"f{i}"] = pa.array(cells, arrow_type)
    ts = datetime(2026, 1, 1, tzinfo=UTC)
    columns["ts"] = pa.array([ts] * rows, pa.timestamp("us", tz="UTC"))
    return pa.table(columns), dtypes


@settings(max_examples=300, deadline=None)
@given(tables())
def test_packed_values_equal_feasts_own_conversion(drawn: tuple[pa.Table, list[str]]) -> None:
    table, dtypes = drawn
    view = _view(dtypes)
    layout = layout_of(view)
    feast_rows = _convert_arrow_to_proto(table, view, {"thing_id": ValueType.STRING})
    blobs = encode_rows(table, list(layout.features)).to_pylist()
    keys = entity_keys_column(table, ["thing_id"]).to_pylist()
    for (entity_key, values, _, _), blob, key in zip(feast_rows, blobs, keys, strict=True):
        decoded = RepeatedValue.FromString(blob).val
        assert list(decoded) == [values[name] for name in layout.feature_names]
        assert key_text(entity_key, layout) == key


def test_every_type_a_dbt_feature_can_have_is_encoded_and_fuzzed() -> None:
    dtypes = set(FEAST_DTYPES.values())
    assert dtypes <= set(SUPPORTED_DTYPES)
    assert dtypes <= set(COLUMNS)
    assert all(hasattr(feast_types, d) for d in dtypes)


def test_layout_id_changes_with_the_schema() -> None:
    assert layout_of(_view(["Int64", "String"])).id != layout_of(_view(["String", "Int64"])).id
    assert layout_of(_view(["Int64"])).id == layout_of(_view(["Int64"])).id
