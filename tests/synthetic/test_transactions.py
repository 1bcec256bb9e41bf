"""The `transactions` profile: a two-table B2C export that satisfies the contract, with
customers acquired in bursts (an ageing cohort) and heavy-tailed spend."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from mfs.contract.validate import validate_directory
from mfs.synthetic.generate import GenerateOptions, generate

END = date(2026, 6, 30)


def test_two_tables_with_required_columns_an_ageing_cohort_and_heavy_tails(tmp_path: Path
                                                                            ) -> None:
    opts = GenerateOptions(out=tmp_path / "raw", customers=3000, days=730, end=END,
                           profile="transactions")
    summary = generate(opts)
    assert set(summary.rows) == {"crm_contacts", "crm_orders"}
    assert sorted(p.name for p in (tmp_path / "raw").glob("*.parquet")) == [
        "crm_contacts.parquet", "crm_orders.parquet"]
    report = validate_directory(tmp_path / "raw")
    assert report.ok, [v.message for v in report.violations]

    created = pq.read_table(tmp_path / "raw" / "crm_contacts.parquet")["created_at"]
    age = (np.datetime64(END.isoformat()) - created.to_numpy().astype("datetime64[D]")
           ).astype(int)
    assert np.mean(age > 0.55 * 730) > 0.7, "most customers came in the early bursts"
    amounts = pq.read_table(tmp_path / "raw" / "crm_orders.parquet")["amount"].to_numpy()
    assert np.quantile(amounts, 0.99) > 8 * np.median(amounts), "heavy-tailed spend"
    truth = pq.read_table(tmp_path / "truth" / "purchase_truth.parquet")
    assert 0 < np.mean(truth["p_purchase_30d"].to_numpy()) < 0.5
    again = generate(GenerateOptions(out=tmp_path / "again", customers=3000, days=730,
                                     end=END, profile="transactions"))
    assert again.rows == summary.rows
    assert (tmp_path / "again" / "crm_orders.parquet").read_bytes() == (
        tmp_path / "raw" / "crm_orders.parquet").read_bytes()
