"""A known treatment effect for the people an audience export reached, so that uplift
measurement (monitoring/uplift.py) can be checked against the truth.

`mfs generate --treatment-export FOLDER --uplift U` regenerates the world and then, for the
export's treatment group (`members.parquet`), raises the chance of ordering in the
`purchase_label_days` after the export (`created_at` in its manifest) by the relative amount U:
each treated customer without an order in that window gets one with probability
q = U * CR / (1 - CR), CR being the treated group's own conversion rate in the window
(per chunk), so that the expected treated rate is CR * (1 + U). The control group and everyone
else are left alone. The true effect and what was added go to `truth/treatment_effect.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mfs.build.dbt_vars import dbt_var
from mfs.parquet import read_frame

CUSTOMER_MODELS = ("purchase_propensity",)


class TreatmentError(ValueError):
    """An export that cannot be simulated as asked (says why)."""


@dataclass
class Treatment:
    folder: Path
    uplift: float
    treated: frozenset[str]
    starts_at: datetime
    window_days: int
    added_orders: int = 0
    treated_seen: int = 0
    treated_converted_before: int = 0
    chunks: list[dict[str, float]] = field(default_factory=list)

    @classmethod
    def from_export(cls, folder: Path, uplift: float, data_end: datetime) -> Treatment:
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            raise TreatmentError(f"{folder}: not an export folder (no manifest.json)")
        manifest = json.loads(manifest_path.read_text())
        if manifest["model"] not in CUSTOMER_MODELS:
            raise TreatmentError(f"{folder}: a {manifest['model']} audience; treatment effects "
                                 f"are simulated on purchases ({', '.join(CUSTOMER_MODELS)})")
        if uplift < 0:
            raise TreatmentError(f"--uplift {uplift}: expected a relative effect >= 0")
        starts_at = datetime.fromisoformat(manifest["created_at"])
        window = int(dbt_var("purchase_label_days"))
        if starts_at + timedelta(days=window) > data_end:
            raise TreatmentError(
                f"{folder} was exported at {starts_at:%Y-%m-%d %H:%M}; its {window}-day window "
                "must close inside the data: use --end "
                f"{starts_at + timedelta(days=window + 1):%Y-%m-%d} or later")
        members = read_frame(folder / "members.parquet", columns=["entity_id"])
        return cls(folder, uplift, frozenset(members["entity_id"]), starts_at, window)

    def apply(self, orders: pa.Table, contact_ids: np.ndarray, rng: np.random.Generator,
              chunk: int) -> pa.Table:
        """The chunk's orders plus the treatment's extra orders (appended, then time-sorted)."""
        contacts = np.asarray(orders.column("contact_id").to_pylist(), dtype=object)
        start_us = int(self.starts_at.timestamp() * 1_000_000)
        end_us = start_us + self.window_days * 86_400_000_000
        ordered = pc.cast(orders.column("ordered_at"), pa.int64()).to_numpy()
        in_window = (ordered >= start_us) & (ordered < end_us)
        converted = set(contacts[in_window]) & self.treated
        chunk_treated = sorted(self.treated & {str(c) for c in contact_ids})
        if not chunk_treated:
            return orders
        rate = len(converted) / len(chunk_treated)
        q = min(1.0, self.uplift * rate / (1 - rate)) if rate < 1 else 0.0
        waiting = [c for c in chunk_treated if c not in converted]
        chosen = [c for c, u in zip(waiting, rng.random(len(waiting)), strict=True) if u < q]
        self.treated_seen += len(chunk_treated)
        self.treated_converted_before += len(converted)
        self.chunks.append({"chunk": chunk, "treated": len(chunk_treated),
                            "converted": len(converted), "q": q, "added": len(chosen)})
        if not chosen:
            return orders
        self.added_orders += len(chosen)
        template = orders.filter(pc.equal(orders.column("status"), "completed"))
        picks = rng.integers(0, template.num_rows, size=len(chosen))
        extra = template.take(pa.array(picks)).to_pydict()
        extra["order_id"] = [f"SO-{chunk:04d}-T{i:07d}" for i in range(len(chosen))]
        extra["contact_id"] = chosen
        times = rng.integers(start_us, end_us, size=len(chosen))
        extra["ordered_at"] = pa.array(times, pa.int64()).cast(orders.schema.field(
            "ordered_at").type)
        extra["refunded_at"] = pa.nulls(len(chosen), orders.schema.field("refunded_at").type)
        added = pa.table(extra, schema=orders.schema)
        combined = pa.concat_tables([orders, added])
        return combined.sort_by([("ordered_at", "ascending")])

    def truth(self) -> dict[str, object]:
        return {"export": str(self.folder), "true_relative_uplift": self.uplift,
                "starts_at": self.starts_at.isoformat(), "window_days": self.window_days,
                "treated": len(self.treated), "treated_in_data": self.treated_seen,
                "treated_converted_without_treatment": self.treated_converted_before,
                "orders_added": self.added_orders, "chunks": self.chunks}

