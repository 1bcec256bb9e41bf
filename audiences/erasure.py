"""Erased people out of the exports we keep.

Each export folder keeps the people it shipped (members, control group, each destination's
rows with entity ids) for deltas and uplift. After an erasure those records, and the shipped
files derived from them, are rewritten without the person; the manifest keeps its original
counts and gains an `erasures` entry (when, how many rows, the files' new SHA-256), so the
audit trail says what changed and nothing names who.

A platform that already received the person keeps them until told otherwise, and a delta
against a rewritten export would not name them any more: so `mfs export --delta` refuses to
diff against an export rewritten by an erasure, and asks for a full export (a replace upload)
first (audiences/export.py).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from audiences.export import file_digest, write_shipped
from mfs.parquet import read_frame

RECORDS = ("members.parquet", "control.parquet")


def _without(path: Path, people: set[str]) -> int:
    """Rewrite one record file without `people`; returns the rows removed."""
    frame = read_frame(path)
    keep = ~frame["entity_id"].isin(people)
    if keep.all():
        return 0
    staged = path.with_name(f".{path.name}.erasure.tmp")
    frame[keep].to_parquet(staged, index=False)
    os.replace(staged, path)
    return int((~keep).sum())


def _rewrite_shipped(folder: Path, manifest: dict) -> None:
    """The shipped files again, from the (now scrubbed) records: a delta's adds and removes
    against the previous export's (already scrubbed) members."""
    members = set(read_frame(folder / "members.parquet")["entity_id"])
    previous = (folder.parent / manifest["previous_export_id"]
                if manifest.get("previous_export_id") else None)
    if previous is not None and not previous.is_dir():
        previous = None
    before = (set(read_frame(previous / "members.parquet")["entity_id"])
              if previous is not None else set())
    for d in manifest["destinations"]:
        rows = read_frame(folder / "internal" / f"{d}.parquet")
        shipped = write_shipped(d, rows, folder, manifest["mode"], previous,
                                members - before, before - members)
        manifest["destinations"][d]["files"] = {p.name: file_digest(p) for p in shipped}


def scrub_exports(root: Path, people: set[str], now: datetime | None = None) -> dict[str, int]:
    """Remove `people` from every stored export under `root`, oldest first (a delta is
    rewritten against its already scrubbed predecessor). Returns rows removed per folder."""
    removed_by_folder: dict[str, int] = {}
    if not people or not root.is_dir():
        return removed_by_folder
    now = now or datetime.now(UTC)
    for audience in sorted(p for p in root.iterdir() if p.is_dir()):
        for folder in sorted(p for p in audience.iterdir()
                             if p.is_dir() and not p.name.startswith(".")):
            manifest_path = folder / "manifest.json"
            if not manifest_path.exists():
                continue
            removed = sum(_without(folder / name, people) for name in RECORDS
                          if (folder / name).exists())
            removed += sum(_without(p, people) for p in sorted((folder / "internal").glob(
                "*.parquet")))
            if not removed:
                continue
            manifest = json.loads(manifest_path.read_text())
            _rewrite_shipped(folder, manifest)
            manifest["control_sha256"] = file_digest(folder / "control.parquet")
            manifest.setdefault("erasures", []).append(
                {"at": now.isoformat(), "rows_removed": removed})
            staged = folder / ".manifest.json.tmp"
            staged.write_text(json.dumps(manifest, indent=2, default=str))
            os.replace(staged, manifest_path)
            removed_by_folder[str(folder)] = removed
    return removed_by_folder
