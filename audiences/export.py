"""`mfs export AUDIENCE`: select, hash, split off the holdout, write every destination's file,
and record the export, all or nothing.

An export is a folder `data/exports/<audience>/<export id>/` (`MFS_EXPORTS_DIR`):

    manifest.json            audience, model and version, rule and threshold, every count,
                             each file's SHA-256, created_at, the previous export it diffs against
    <destination files>      what is uploaded (full mode) or `*.adds.*` / `*.removes.*` (delta)
    control.parquet          the holdout: entity ids and scores, kept for uplift measurement
    internal/<dest>.parquet  each destination's rows with entity ids, for the next delta

It is written under a temporary name and renamed into place; only then does
`data/exports/<audience>/LATEST` move to it and a line go to `data/exports/audit.jsonl`. A
failed export leaves the previous one current. `--dry-run` computes everything and writes
nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from audiences import destinations as dest
from audiences.config import LEAD_MODELS, AudienceConfig, load_audience
from audiences.selection import AudienceError, Suppression, read_candidates, select
from mfs import clock, paths
from mfs.build.status import BuildNotGreenError, require_green_build
from mfs.parquet import read_frame
from mfs.privacy.register import Erasures

AUDIT_LOG = "audit.jsonl"


def exports_dir() -> Path:
    return Path(os.environ.get("MFS_EXPORTS_DIR", paths.data_dir() / "exports"))


def suppression_dir() -> Path:
    """Suppression lists applied to every export (`MFS_SUPPRESSION_DIR`, default
    `data/suppression/`, every file in it)."""
    return Path(os.environ.get("MFS_SUPPRESSION_DIR", paths.data_dir() / "suppression"))


@dataclass
class ExportResult:
    audience: str
    export_id: str | None  # None for a dry run
    folder: Path | None
    mode: str
    manifest: dict[str, Any]
    preview: pd.DataFrame = field(repr=False)  # counts per destination


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_shipped(destination: str, rows: pd.DataFrame, folder: Path, mode: str,
                  previous: Path | None, adds: set[str], removes: set[str]) -> list[Path]:
    """One destination's shipped files: all `rows` (full), or the rows of `adds` plus the
    previous export's rows of `removes` (delta). Also how an erasure rewrites an export."""
    if mode == "full":
        return dest.write(destination, rows, folder)
    shipped = dest.write(destination, rows[rows["entity_id"].isin(adds)], folder, ".adds")
    # GA4 events cannot be taken back; GA4 audiences expire instead.
    if destination != "ga4" and previous is not None:
        before = read_frame(previous / "internal" / f"{destination}.parquet")
        shipped += dest.write(destination, before[before["entity_id"].isin(removes)], folder,
                              ".removes")
    return shipped


def previous_export(audience: str) -> Path | None:
    pointer = exports_dir() / audience / "LATEST"
    if not pointer.exists():
        return None
    folder = exports_dir() / audience / pointer.read_text().strip()
    return folder if folder.is_dir() else None


def _horizon(people: pd.DataFrame) -> int | None:
    """The label horizon of the scores exported (the window uplift is measured over)."""
    values = people["horizon_days"].dropna().unique() if "horizon_days" in people else []
    return int(values[0]) if len(values) == 1 else None


def _unused_id(root: Path, export_id: str) -> str:
    """`export_id`, or with a counter when a fixed clock (MFS_NOW) made that id already: ids
    still sort in the order the exports were made."""
    taken = {p.name for p in root.iterdir()}
    if export_id not in taken:
        return export_id
    return next(f"{export_id}-{n:03d}" for n in range(2, 10_000)
                if f"{export_id}-{n:03d}" not in taken)


def export_audience(
    audience: str | AudienceConfig,
    *,
    mode: str = "full",
    dry_run: bool = False,
    suppression_files: list[Path] | None = None,
    now: datetime | None = None,
) -> ExportResult:
    if mode not in ("full", "delta"):
        raise AudienceError(f"mode {mode!r}: expected full or delta")
    config = audience if isinstance(audience, AudienceConfig) else load_audience(audience)
    try:  # a failed build may have rewritten customer_profile: never export from it
        require_green_build(paths.features_dir())
    except BuildNotGreenError as exc:
        raise AudienceError(f"not exporting {config.name}: {exc}") from exc
    now = now or clock.now()  # the filters' and GA4's windows count back from it
    files = sorted(p for p in suppression_dir().glob("*") if p.is_file()) \
        if suppression_dir().is_dir() else []
    suppression = Suppression.from_files([*files, *(suppression_files or [])])
    frame = read_candidates(paths.warehouse_path(), config)
    selected = select(frame, config, suppression, now, Erasures.load())
    counts = selected.counts
    if counts["selected"] < config.min_size:
        raise AudienceError(f"{config.name}: {counts['selected']} selected, below min_size "
                            f"{config.min_size} (counts: {json.dumps(counts)})")
    people = selected.frame
    treatment = people[people["group"] == "treatment"]
    control = people[people["group"] == "control"]
    entity_key = "lead_id" if config.model in LEAD_MODELS else "customer_id"
    ctx = dest.Context(config, now, entity_key)
    rows = {d: dest.BUILDERS[d](treatment, ctx) for d in config.destinations}
    if "linkedin" in rows and len(rows["linkedin"]) < dest.LINKEDIN_MIN_ROWS:
        raise AudienceError(f"{config.name}: LinkedIn needs at least {dest.LINKEDIN_MIN_ROWS} "
                            f"matchable contacts, this export has {len(rows['linkedin'])}; "
                            "widen the selection or drop linkedin from destinations")

    previous = previous_export(config.name)
    previous_ids: set[str] | None = None
    previous_manifest: dict[str, Any] = {}
    if previous is not None:
        previous_manifest = json.loads((previous / "manifest.json").read_text())
        previous_ids = set(read_frame(previous / "members.parquet", columns=["entity_id"])
                           ["entity_id"])
    current_ids = set(treatment["entity_id"])
    adds = current_ids - previous_ids if previous_ids is not None else current_ids
    removes = previous_ids - current_ids if previous_ids is not None else set()
    if mode == "delta" and previous is None:
        raise AudienceError(f"{config.name}: no previous export to diff against; run a full "
                            "export first")
    if mode == "delta" and previous_manifest.get("erasures"):
        raise AudienceError(
            f"{config.name}: export {previous.name} was rewritten by an erasure after it was "
            "made, so a delta against it cannot tell the platforms to drop the erased people; "
            "run a full export (upload it as a replace) first")

    export_id = now.strftime("%Y%m%dT%H%M%S%fZ")
    versions = sorted(set(people["model_version"]))
    manifest: dict[str, Any] = {
        "audience": config.name, "description": config.description, "owner": config.owner,
        "export_id": export_id, "created_at": now.isoformat(), "mode": mode,
        "previous_export_id": previous.name if previous else None,
        "model": config.model, "model_version": versions[0] if len(versions) == 1 else versions,
        "legal_basis": None if config.model in LEAD_MODELS else config.legal_basis,
        "scored_at": str(people["scored_at"].max()),
        "features_as_of": str(people["features_as_of"].max()),
        "horizon_days": _horizon(people),
        "selection": {"rule": config.selection.rule[0], "value": config.selection.rule[1],
                      "score_threshold": selected.score_threshold},
        "filters": config.filters.model_dump(exclude_none=True),
        "holdout": {"percent": config.holdout_percent, "salt": config.salt,
                    "file": "control.parquet"},
        "suppression_lists": suppression.sources,
        "counts": {**counts, "exported": len(treatment), "adds": len(adds),
                   "removes": len(removes)},
        "destinations": {d: {"rows": len(r), "no_identifier": len(treatment) - len(r)
                             if d not in ("ga4",) else None,
                             "files": {}} for d, r in rows.items()},
    }
    if "ga4" in rows:
        manifest["destinations"]["ga4"]["inactive_or_no_client_id"] = (
            len(treatment) - len(rows["ga4"]))
    preview = pd.DataFrame([{"destination": d, "rows": len(r)} for d, r in rows.items()])
    if dry_run:
        return ExportResult(config.name, None, None, mode, manifest, preview)

    root = exports_dir() / config.name
    root.mkdir(parents=True, exist_ok=True)
    export_id = _unused_id(root, export_id)
    manifest["export_id"] = export_id
    staged = root / f".staging-{export_id}-{os.getpid()}"
    try:
        (staged / "internal").mkdir(parents=True)
        for d, r in rows.items():
            shipped = write_shipped(d, r, staged, mode, previous, adds, removes)
            r.to_parquet(staged / "internal" / f"{d}.parquet", index=False)
            manifest["destinations"][d]["files"] = {p.name: file_digest(p) for p in shipped}
        control[["entity_id", "score", "decile", "model_version"]].to_parquet(
            staged / "control.parquet", index=False)
        treatment[["entity_id", "score", "decile", "model_version"]].to_parquet(
            staged / "members.parquet", index=False)
        manifest["control_sha256"] = file_digest(staged / "control.parquet")
        (staged / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        final = root / export_id
        staged.rename(final)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    pointer = root / "LATEST.tmp"
    pointer.write_text(export_id)
    pointer.replace(root / "LATEST")
    with (exports_dir() / AUDIT_LOG).open("a") as audit:
        audit.write(json.dumps({k: manifest[k] for k in (
            "audience", "export_id", "created_at", "mode", "model", "model_version",
            "counts")}, default=str) + "\n")
    return ExportResult(config.name, export_id, final, mode, manifest, preview)
