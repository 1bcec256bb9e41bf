"""Same seed and end date: byte-identical files. Another seed: different data."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_raw


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    make_raw(tmp_path / "a", customers=300, days=90, seed=7, dirty=True)
    make_raw(tmp_path / "b", customers=300, days=90, seed=7, dirty=True)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert len(a) >= 14
    different = [name for name in a if a[name] != b[name]]
    assert different == []


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    make_raw(tmp_path / "a", customers=300, days=90, seed=7)
    make_raw(tmp_path / "b", customers=300, days=90, seed=8)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["raw/crm_orders.parquet"] != b["raw/crm_orders.parquet"]
