"""Planted defects for `mfs generate --dirty`, each with the exact count a validator must find.

Every defect is injected into rows chosen without overlap, so each violation class has exactly
the injected count and no row is hit twice. The expected counts are written beside the data in
`_dirty_counts.json`; the tests compare `mfs validate` (and dbt's rejected rows) against them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mfs.synthetic.calendar import MICROS_PER_DAY, Calendar

RATE = 0.005
MINIMUM = 3


@dataclass(frozen=True)
class Defect:
    """One planted defect class and the violation it must produce."""

    name: str
    table: str
    column: str
    kind: str
    count: int
    description: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class _RowPicker:
    """Hands out disjoint random row indices of one table."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self._order = rng.permutation(n)
        self._next = 0

    def take(self, k: int) -> np.ndarray:
        rows = np.sort(self._order[self._next : self._next + k])
        self._next += k
        return rows


def _k(n: int) -> int:
    return max(MINIMUM, int(n * RATE))


def _set(table: pa.Table, column: str, rows: np.ndarray, values: pa.Array | list) -> pa.Table:
    arr = table.column(column).to_numpy(zero_copy_only=False).copy()
    arr[rows] = np.asarray(values.to_pylist() if isinstance(values, pa.Array) else values,
                           dtype=arr.dtype)
    idx = table.schema.get_field_index(column)
    return table.set_column(idx, table.schema.field(idx), pa.array(arr, type=table.schema.field(
        idx).type))


def contacts(table: pa.Table, rng: np.random.Generator, cal: Calendar) -> tuple[pa.Table,
                                                                                 list[Defect]]:
    n = table.num_rows
    pick = _RowPicker(rng, n)
    k = _k(n)
    dup_rows, bad_rows, twin_rows = pick.take(k), pick.take(k), pick.take(k)
    emails = table.column("email").to_pylist()
    malformed = []
    for j, r in enumerate(bad_rows.tolist()):
        local = (emails[r] or f"person{r}").strip().split("@")[0]
        malformed.append(f"{local} at gmail.com" if j % 2 else f"{local}@")
    table = _set(table, "email", bad_rows, malformed)
    copies = table.take(pa.array(dup_rows))
    updated = copies.column("updated_at").cast(pa.int64()).to_numpy()
    later = np.minimum(updated + MICROS_PER_DAY, cal.end_micros - 1_000_000)
    idx = copies.schema.get_field_index("updated_at")
    copies = copies.set_column(idx, copies.schema.field(idx),
                               pa.array(later, type=copies.schema.field(idx).type))
    twins = table.take(pa.array(twin_rows))
    twin_ids = [f"CDUP{i:07d}" for i in range(k)]
    twin_emails = [e.swapcase() if e else e for e in twins.column("email").to_pylist()]
    twins = twins.set_column(0, "contact_id", pa.array(twin_ids, pa.string()))
    twins = twins.set_column(twins.schema.get_field_index("email"), "email",
                             pa.array(twin_emails, pa.string()))
    out = pa.concat_tables([table, copies, twins])
    return out, [
        Defect("duplicate_keys", "crm_contacts", "contact_id", "duplicate_key", k,
               "a contact exported twice with the same id (second copy updated a day later)"),
        Defect("malformed_emails", "crm_contacts", "email", "malformed_value", k,
               "emails without a domain or with ' at ' instead of '@'"),
        Defect("same_person_differently_cased", "crm_contacts", "email",
               "duplicate_after_normalization", k,
               "the same person under a second contact id, email in swapped case"),
    ]


def orders(table: pa.Table, rng: np.random.Generator) -> tuple[pa.Table, list[Defect]]:
    n = table.num_rows
    pick = _RowPicker(rng, n)
    k = _k(n)
    null_rows, neg_rows, cur_rows, orphan_rows = (pick.take(k) for _ in range(4))
    table = _set(table, "order_id", null_rows, [None] * k)
    amounts = table.column("amount").to_numpy()
    table = _set(table, "amount", neg_rows, list(-np.abs(amounts[neg_rows]) - 1.0))
    table = _set(table, "currency", cur_rows, ["US$" if i % 2 else "BTC" for i in range(k)])
    table = _set(table, "contact_id", orphan_rows, [f"C9{i:09d}" for i in range(k)])
    return table, [
        Defect("null_keys", "crm_orders", "order_id", "null_key", k, "orders without an id"),
        Defect("negative_amounts", "crm_orders", "amount", "out_of_range", k,
               "negative order totals"),
        Defect("unknown_currency", "crm_orders", "currency", "invalid_value", k,
               "currency codes outside the contract (BTC, US$)"),
        Defect("orders_for_unknown_customers", "crm_orders", "contact_id", "unknown_reference",
               k, "orders whose contact id is not in crm_contacts"),
        Defect("wrong_column_type", "crm_orders", "item_count", "wrong_type", 1,
               "item_count exported as text instead of an integer"),
    ]


def orders_item_count_as_text(table: pa.Table) -> pa.Table:
    """The wrong-type defect: applied to every chunk, since a parquet column has one type."""
    idx = table.schema.get_field_index("item_count")
    return table.set_column(idx, "item_count", pc.cast(table.column(idx), pa.string()))


def events(table: pa.Table, rng: np.random.Generator, cal: Calendar) -> tuple[pa.Table,
                                                                               list[Defect]]:
    n = table.num_rows
    pick = _RowPicker(rng, n)
    k = _k(n)
    dup_rows, future_rows = pick.take(k), pick.take(k)
    # Years ahead, so that they stay in the future for whoever validates an old data set.
    shift = cal.end_micros + rng.integers(3 * 365, 8 * 365, size=k) * MICROS_PER_DAY
    ts = table.column("occurred_at").cast(pa.int64()).to_numpy().copy()
    ts[future_rows] = shift + (ts[future_rows] % MICROS_PER_DAY)
    idx = table.schema.get_field_index("occurred_at")
    table = table.set_column(idx, table.schema.field(idx),
                             pa.array(ts, type=table.schema.field(idx).type))
    out = pa.concat_tables([table, table.take(pa.array(dup_rows))])
    return out, [
        Defect("duplicated_events", "web_events", "event_id", "duplicate_key", k,
               "events delivered twice (at-least-once tracking)"),
        Defect("future_timestamps", "web_events", "occurred_at", "future_timestamp", k,
               "events stamped years after the export (device clock errors)"),
    ]


def consent_naive_timestamps(table: pa.Table, rng: np.random.Generator) -> tuple[pa.Table,
                                                                                   list[Defect]]:
    """Consent is exported as CSV in dirty mode; some rows lose their UTC designator, half of
    them their time of day too (a date alone, `2026-03-01`, whose "-01" is no offset)."""
    n = table.num_rows
    k = _k(n)
    rows = _RowPicker(rng, n).take(k)
    text = pc.strftime(table.column("occurred_at"), format="%Y-%m-%dT%H:%M:%S").to_numpy(
        zero_copy_only=False).astype(object)
    with_zone = text + "Z"
    with_zone[rows] = text[rows]
    dates_only = rows[::2]
    with_zone[dates_only] = [t[:10] for t in text[dates_only]]
    idx = table.schema.get_field_index("occurred_at")
    table = table.set_column(idx, "occurred_at", pa.array(with_zone, pa.string()))
    return table, [
        Defect("timestamps_without_time_zone", "crm_consent_events", "occurred_at",
               "timestamp_without_timezone", k,
               "CSV timestamps written without 'Z' or an offset (half as dates alone)"),
    ]


def ad_clicks(table: pa.Table, rng: np.random.Generator) -> tuple[pa.Table, list[Defect]]:
    n = table.num_rows
    if n == 0:
        return table, []
    k = min(_k(n), n)
    rows = _RowPicker(rng, n).take(k)
    table = _set(table, "campaign_id", rows, [f"xx-{i:07d}" for i in range(k)])
    return table, [
        Defect("unknown_campaign_ids", "ad_clicks", "campaign_id", "unknown_reference", k,
               "clicks on campaigns missing from the campaign list"),
    ]
