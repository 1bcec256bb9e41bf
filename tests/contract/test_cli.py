"""`mfs validate` and `mfs generate` as a user runs them: exit codes, JSON, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MFS = str(Path(sys.executable).with_name("mfs"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MFS, *args], capture_output=True, text=True, timeout=600)


def test_validate_clean_exits_zero_with_json(clean_raw: Path) -> None:
    proc = run("validate", str(clean_raw), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {t["status"] for t in report["tables"]} == {"checked"}


def test_validate_dirty_exits_nonzero_without_traceback(dirty_raw: Path) -> None:
    proc = run("validate", str(dirty_raw))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "crm_orders.parquet" in proc.stderr
    assert "item_count" in proc.stderr


def test_validate_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    proc = run("validate", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_generate_json_summary(tmp_path: Path) -> None:
    proc = run("generate", "-n", "200", "--days", "60", "--end", "2026-06-30",
               "--out", str(tmp_path / "raw"), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["rows"]["crm_contacts"] == 200
    assert (tmp_path / "truth" / "purchase_truth.parquet").is_file()


def test_every_command_has_help_with_examples() -> None:
    for command in ("generate", "validate", "demo"):
        proc = run(command, "--help")
        assert proc.returncode == 0
        assert "Example" in proc.stdout, command
