"""API keys for the scoring API: from the environment or a file, never from the repo.

`MFS_API_KEYS` holds comma-separated keys; `MFS_API_KEYS_FILE` names a file with one key per
line (blank lines and `#` comments ignored), e.g. a mounted secret. Both may be set; the server
refuses to start with neither, so it is never open by accident. Only SHA-256 digests are kept
in memory, and a presented key is compared with `hmac.compare_digest` against each of them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

MIN_KEY_LENGTH = 16


class ApiKeyConfigError(ValueError):
    """No usable API key is configured (names the variable or file and line)."""


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _checked(key: str, where: str) -> str:
    if len(key) < MIN_KEY_LENGTH:
        raise ApiKeyConfigError(f"{where}: API keys must be at least {MIN_KEY_LENGTH} "
                                f"characters (got {len(key)}); e.g. `python -c 'import secrets; "
                                "print(secrets.token_urlsafe(32))'`")
    return key


def load_api_keys(environ: dict[str, str] | None = None) -> tuple[bytes, ...]:
    env = os.environ if environ is None else environ
    keys = [_checked(k.strip(), "MFS_API_KEYS") for k in env.get("MFS_API_KEYS", "").split(",")
            if k.strip()]
    file = env.get("MFS_API_KEYS_FILE")
    if file:
        path = Path(file)
        if not path.is_file():
            raise ApiKeyConfigError(f"MFS_API_KEYS_FILE={file}: no such file")
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            line = line.strip()
            if line and not line.startswith("#"):
                keys.append(_checked(line, f"{path}:{number}"))
    if not keys:
        raise ApiKeyConfigError("no API key configured: set MFS_API_KEYS (comma-separated) or "
                                "MFS_API_KEYS_FILE (one key per line); the scoring API does not "
                                "run open")
    return tuple(_digest(k) for k in keys)


def is_valid(presented: str | None, digests: tuple[bytes, ...]) -> bool:
    if not presented:
        return False
    digest = _digest(presented)
    # Compare against every key (no early exit), so timing reveals nothing about which matched.
    return sum(hmac.compare_digest(digest, d) for d in digests) > 0
