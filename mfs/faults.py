"""Fault injection for the reliability suite: crash the process at a named point.

`MFS_FAULT=<point>[:<n>]` sends SIGKILL to the process the n-th time (default: the first) it
reaches `<point>`. No handler, `finally` or atexit runs, as when the machine or the OOM killer
stops a job, so a test can check that the stage's own guarantees (one transaction per view,
windows recorded only after the write) hold at exactly that point. Unset, a point costs one
environment lookup.

Points: `publish.batch_written` (inside a view's write transaction, after a batch, before the
commit) and `publish.view_written` (after a view's records are committed, before its window is
recorded in the registry).
"""

from __future__ import annotations

import os
import signal

_reached: dict[str, int] = {}


def point(name: str) -> None:
    spec = os.environ.get("MFS_FAULT")
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
