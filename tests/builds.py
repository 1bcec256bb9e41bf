"""Helpers for tests that build the dbt project: run a build, copy one, read its warehouse."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from mfs.build.build import BuildSummary, build


@dataclass
class Built:
    root: Path
    raw: Path
    summary: BuildSummary

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def features(self) -> Path:
        return self.root / "features"

    def frame(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            con.execute("set TimeZone = 'UTC'")
            return con.execute(sql).df()


def run_build(root: Path, raw: Path, **kwargs: object) -> Built:
    root.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("freshness", "skip")  # the shared data sets end on a fixed, past date
    summary = build(raw, root / "warehouse.duckdb", root / "features",
                    target_dir=root / "target", **kwargs)  # type: ignore[arg-type]
    return Built(root, raw, summary)


def copy_build(built: Built, root: Path) -> Built:
    """A private copy of a build (warehouse, exports), to change without touching the shared one."""
    root.mkdir(parents=True)
    shutil.copy(built.warehouse, root / "warehouse.duckdb")
    shutil.copytree(built.features, root / "features")
    return Built(root, built.raw, built.summary)


def published_exports(features: Path) -> dict[str, bytes]:
    """Every published export file, by `<mart>/<file>` (through each mart's current link), to
    compare before and after a change. Never empty: an empty fingerprint proves nothing."""
    files = {p.relative_to(features).as_posix(): p.read_bytes()
             for p in sorted(features.glob("*/*.parquet"))}
    assert files, f"no published exports under {features}"
    return files
