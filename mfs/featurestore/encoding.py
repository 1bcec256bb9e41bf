"""Encode a feature view's rows, a whole Arrow batch at a time, as Feast `RepeatedValue` bytes.

Stock Feast materialization builds one `ValueProto` Python object per entity x feature and writes
them one by one: that is where its minute goes. Our online stores keep one record per entity per
feature view holding a serialized `feast.types.RepeatedValue` (the feature values in the view's
order), so reading is a single C-level `RepeatedValue.FromString` per entity and writing needs
no Python object per value at all: the protobuf wire format is produced here with NumPy and Arrow.

Wire format reminder (protobuf): a `RepeatedValue` is a sequence of `0x0A <varint len> <Value>`;
a `Value` holds one field of its oneof (`string_val`=2, `int32_val`=3, `int64_val`=4,
`double_val`=5, `float_val`=6, `bool_val`=7), and an empty `Value` means null - exactly what
Feast writes for a null or NaN. The equivalence with Feast's own conversion is proven by
tests/featurestore/test_encoding.py for every type we map.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Field tags of feast.types.Value, as (field number << 3) | wire type.
_TAG_STRING = 0x12  # 2, length-delimited
_TAG_INT32 = 0x18  # 3, varint
_TAG_INT64 = 0x20  # 4, varint
_TAG_DOUBLE = 0x29  # 5, 64-bit
_TAG_FLOAT = 0x35  # 6, 32-bit
_TAG_BOOL = 0x38  # 7, varint
_ELEMENT = 0x0A  # RepeatedValue.val = 1, length-delimited
_NULL_ELEMENT = b"\x0a\x00"
_NO_SEPARATOR = pa.scalar(b"", pa.large_binary())

SUPPORTED_DTYPES = ("Int64", "Int32", "Float64", "Float32", "String", "Bool")


def _varint(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Varint bytes of uint64 values: an (n, width) byte matrix and each row's used length.

    `width` is the longest varint present (1 for counts under 128), so small numbers cost
    one pass instead of ten.
    """
    values = values.astype(np.uint64, copy=False)
    lengths = np.ones(len(values), dtype=np.int64)
    for i in range(1, 10):
        longer = values >= np.uint64(1 << (7 * i))
        if not longer.any():
            break
        lengths += longer
    width = int(lengths.max()) if len(values) else 1
    matrix = np.empty((len(values), width), dtype=np.uint8)
    for i in range(width):
        group = (values >> np.uint64(7 * i)) & np.uint64(0x7F)
        more = (i < lengths - 1).astype(np.uint64) << np.uint64(7)
        matrix[:, i] = group | more
    return matrix, lengths


def _binary_from_matrix(matrix: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """A binary array whose row i is the first lengths[i] bytes of matrix row i."""
    keep = np.arange(matrix.shape[1])[None, :] < lengths[:, None]
    data = matrix[keep]  # row-major, so each row's bytes stay together and in order
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def _fixed_width(column: pa.Array, tag: int, numpy_dtype: str) -> pa.Array:
    """Elements of a float column: 0x0A, len, tag, little-endian bytes; null (or NaN) -> empty."""
    width = np.dtype(numpy_dtype).itemsize
    values = column.to_numpy(zero_copy_only=False).astype(numpy_dtype)
    is_null = np.asarray(column.is_null()) | np.isnan(values)
    n = len(values)
    matrix = np.empty((n, 3 + width), dtype=np.uint8)
    matrix[:, 0] = _ELEMENT
    matrix[:, 1] = 1 + width
    matrix[:, 2] = tag
    little_endian = np.ascontiguousarray(values.astype(np.dtype(numpy_dtype).newbyteorder("<")))
    matrix[:, 3:] = little_endian.view(np.uint8).reshape(n, width)
    matrix[is_null, 1] = 0
    return _binary_from_matrix(matrix, np.where(is_null, 2, 3 + width))


def _varint_field(column: pa.Array, tag: int) -> pa.Array:
    """Elements of an integer or bool column: 0x0A, len, tag, varint (two's complement)."""
    is_null = np.asarray(column.is_null())
    filled = pc.fill_null(column, False if pa.types.is_boolean(column.type) else 0)
    values = filled.to_numpy(zero_copy_only=False).astype(np.int64).view(np.uint64)
    groups, lengths = _varint(values)
    n = len(values)
    matrix = np.empty((n, 3 + groups.shape[1]), dtype=np.uint8)
    matrix[:, 0] = _ELEMENT
    matrix[:, 1] = (1 + lengths).astype(np.uint8)
    matrix[:, 2] = tag
    matrix[:, 3:] = groups
    matrix[is_null, 1] = 0
    return _binary_from_matrix(matrix, np.where(is_null, 2, 3 + lengths))


def _string_field(column: pa.Array) -> pa.Array:
    """Elements of a string column: 0x0A, varint(len payload), 0x12, varint(len), utf-8 bytes."""
    as_binary = pc.cast(pc.fill_null(column.cast(pa.large_string()), ""), pa.large_binary())
    sizes = pc.binary_length(as_binary).to_numpy(zero_copy_only=False).astype(np.int64)
    size_bytes, size_len = _varint(sizes.view(np.uint64))
    payload = 1 + size_len + sizes
    payload_bytes, payload_len = _varint(payload.view(np.uint64))
    n = len(sizes)
    header = np.zeros((n, 2 + payload_bytes.shape[1] + size_bytes.shape[1]), dtype=np.uint8)
    rows = np.arange(n)
    # Variable-width header: place each part right after the previous one, row by row.
    header[:, 0] = _ELEMENT
    for i in range(payload_bytes.shape[1]):
        use = i < payload_len
        header[rows[use], 1 + i] = payload_bytes[use, i]
    tag_at = 1 + payload_len
    header[rows, tag_at] = _TAG_STRING
    for i in range(size_bytes.shape[1]):
        use = i < size_len
        header[rows[use], tag_at[use] + 1 + i] = size_bytes[use, i]
    header_len = 2 + payload_len + size_len
    elements = pc.binary_join_element_wise(_binary_from_matrix(header, header_len), as_binary,
                                           _NO_SEPARATOR)
    return pc.if_else(column.is_null(), pa.scalar(_NULL_ELEMENT, pa.large_binary()), elements)


def encode_column(column: pa.Array, feast_dtype: str) -> pa.Array:
    """One `RepeatedValue` element per row (large_binary) for a column of the given Feast type."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if feast_dtype == "Float64":
        return _fixed_width(column, _TAG_DOUBLE, "float64")
    if feast_dtype == "Float32":
        return _fixed_width(column, _TAG_FLOAT, "float32")
    if feast_dtype == "Int64":
        return _varint_field(column, _TAG_INT64)
    if feast_dtype == "Int32":
        return _varint_field(column, _TAG_INT32)
    if feast_dtype == "Bool":
        return _varint_field(column, _TAG_BOOL)
    if feast_dtype == "String":
        return _string_field(column)
    raise TypeError(f"no packed encoding for Feast type {feast_dtype!r}; supported: "
                    f"{', '.join(SUPPORTED_DTYPES)}")


def encode_rows(table: pa.Table | pa.RecordBatch, features: list[tuple[str, str]]) -> pa.Array:
    """Serialized `RepeatedValue` per row of `table`, values in the order of `features`.

    `features` is [(column name, Feast dtype name)], the view's schema order.
    """
    elements = [encode_column(table.column(name), dtype) for name, dtype in features]
    if len(elements) == 1:
        return elements[0]
    return pc.binary_join_element_wise(*elements, _NO_SEPARATOR)


def entity_key_text(values: list[object]) -> str:
    """The text under which an entity's record is stored: its join-key values, \\x1f-joined."""
    return "\x1f".join(str(v) for v in values)


def entity_keys_column(table: pa.Table | pa.RecordBatch, join_keys: list[str]) -> pa.Array:
    """`entity_key_text` for every row of `table`, vectorised."""
    parts = [pc.cast(table.column(k), pa.string()) for k in join_keys]
    if any(p.null_count for p in parts):
        raise ValueError(f"null join key in column(s) {', '.join(join_keys)}")
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
