"""The outcome of the latest build, recorded beside the exports so that publish can refuse.

`mfs build` writes `_build.json` into the features directory after every attempt, green or not;
`mfs publish` reads it and publishes nothing unless the latest build succeeded. A failed build
leaves the previous parquet exports untouched, but they no longer describe the raw data the user
last built from, so publishing them would be a lie too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mfs.build.build import BuildSummary

STATUS_FILE = "_build.json"
MANIFEST_FILE = "_dbt_manifest.json"


@dataclass(frozen=True)
class BuildStatus:
    success: bool
    finished_at: str
    raw_dir: str
    stage_failed: str | None
    failing: list[str]
    tests: dict[str, int] = field(default_factory=dict)  # dbt test results by status
    rejected_rows: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> reason


class BuildNotGreenError(RuntimeError):
    """The latest build failed or never ran: nothing may be published from these exports."""


def write_build_status(features_dir: Path, summary: BuildSummary) -> None:
    features_dir.mkdir(parents=True, exist_ok=True)
    status = {
        "success": summary.success,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "raw_dir": summary.raw_dir,
        "stage_failed": summary.stage_failed,
        "failing": [str(f["name"]) for f in summary.failing],
        "tests": summary.tests,
        "rejected_rows": summary.rejected_rows,
    }
    tmp = features_dir / f".{STATUS_FILE}.tmp"
    tmp.write_text(json.dumps(status, indent=2) + "\n")
    os.replace(tmp, features_dir / STATUS_FILE)


def read_build_status(features_dir: Path) -> BuildStatus:
    path = features_dir / STATUS_FILE
    if not path.exists():
        raise BuildNotGreenError(f"{path}: no build recorded here; run `mfs build` first")
    return BuildStatus(**json.loads(path.read_text()))


def require_green_build(features_dir: Path) -> BuildStatus:
    """The latest build's status, or an error naming what failed."""
    status = read_build_status(features_dir)
    if not status.success:
        what = ", ".join(status.failing) or status.stage_failed or "unknown"
        raise BuildNotGreenError(
            f"the latest build ({status.finished_at}, raw {status.raw_dir}) failed at "
            f"{status.stage_failed}: {what}. Fix it and run `mfs build`; nothing was published.")
    return status
