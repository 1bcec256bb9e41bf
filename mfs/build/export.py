"""Export the marts Feast and training read to parquet: atomically, and only after a green build.

Each file is written beside its destination and renamed into place, so a reader sees the old
file or the new one, never half of one; a failed build exports nothing. Timestamps are written
as microsecond UTC (DuckDB's TIMESTAMPTZ), which is what Feast's DuckDB offline store reads.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mfs.build.status import MANIFEST_FILE

EXPORTED_MARTS = ("customer_features", "lead_features", "purchase_labels", "lead_labels")


@dataclass
class ExportedFile:
    mart: str
    path: str
    rows: int


def export_marts(warehouse: Path, out_dir: Path, manifest: Path) -> list[ExportedFile]:
    out_dir.mkdir(parents=True, exist_ok=True)
    exported = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        for mart in EXPORTED_MARTS:
            final = out_dir / f"{mart}.parquet"
            tmp = out_dir / f".{mart}.parquet.tmp"
            con.execute(
                f"copy (select * from main.{mart} order by snapshot_at) to '{tmp}' "
                "(format parquet, compression zstd, row_group_size 1000000)"
            )
            os.replace(tmp, final)
            rows = con.execute(f"select count(*) from main.{mart}").fetchone()
            exported.append(ExportedFile(mart, str(final), int(rows[0]) if rows else 0))
    tmp = out_dir / f".{MANIFEST_FILE}.tmp"
    shutil.copyfile(manifest, tmp)
    os.replace(tmp, out_dir / MANIFEST_FILE)
    return exported
