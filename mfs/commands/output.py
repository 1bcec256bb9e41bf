"""Shared CLI output: rich for people, JSON on stdout for machines."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

# Human output goes to stderr so that `--json` leaves stdout clean for machines.
# soft_wrap: messages keep their paths and names on one line (greppable, copy-pasteable).
console = Console(stderr=True, soft_wrap=True)


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise SystemExit(code)
