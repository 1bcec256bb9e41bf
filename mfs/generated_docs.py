"""Sections of the docs that are rendered from code, between two marker comments.

A doc keeps its prose; the part between `BEGIN` and `END` is regenerated from the source of
truth (the raw contract, the feature views) and a test fails when the committed text is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def replace_section(text: str, begin: str, end: str, rendered: str) -> str:
    """`text` with everything from `begin` to `end` (inclusive) replaced by `rendered`."""
    head, found, rest = text.partition(begin)
    if not found:
        raise ValueError(f"marker {begin!r} not found")
    _, _, tail = rest.partition(end)
    return head + rendered + tail


def run(doc: Path, begin: str, end: str, render: Callable[[], str]) -> None:
    """The command line of a rendered section: rewrite it, or `--check` that it is current."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="exit 1 if the doc is stale")
    args = parser.parse_args()
    text = doc.read_text()
    new = replace_section(text, begin, end, render())
    if args.check:
        sys.exit(0 if new == text else 1)
    doc.write_text(new)
