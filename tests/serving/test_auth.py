"""API keys: read from the environment or a file, never run open, compared safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.auth import ApiKeyConfigError, is_valid, load_api_keys

KEY_A, KEY_B, KEY_C = "a" * 16 + "-first", "b" * 16 + "-second", "c" * 16 + "-from-file"


def test_keys_come_from_the_variable_and_the_file(tmp_path: Path) -> None:
    file = tmp_path / "keys"
    file.write_text(f"# rotated 2026-11\n\n{KEY_C}\n")
    digests = load_api_keys({"MFS_API_KEYS": f"{KEY_A}, {KEY_B}",
                             "MFS_API_KEYS_FILE": str(file)})
    assert len(digests) == 3
    for key in (KEY_A, KEY_B, KEY_C):
        assert is_valid(key, digests)
    assert not is_valid(KEY_A + "x", digests)
    assert not is_valid("", digests)
    assert not is_valid(None, digests)
    assert KEY_A.encode() not in b"".join(digests)  # only digests are kept


@pytest.mark.parametrize(("environ", "says"), [
    ({}, "no API key configured: set MFS_API_KEYS"),
    ({"MFS_API_KEYS": " , "}, "no API key configured"),
    ({"MFS_API_KEYS": "short"}, "MFS_API_KEYS: API keys must be at least 16 characters (got 5)"),
    ({"MFS_API_KEYS_FILE": "/nonexistent/keys"}, "MFS_API_KEYS_FILE=/nonexistent/keys: no such"),
])
def test_missing_or_weak_keys_are_refused_with_the_reason(environ: dict[str, str],
                                                          says: str) -> None:
    with pytest.raises(ApiKeyConfigError, match=says.replace("(", r"\(").replace(")", r"\)")):
        load_api_keys(environ)


def test_a_weak_key_in_the_file_is_named_by_line(tmp_path: Path) -> None:
    file = tmp_path / "keys"
    file.write_text(f"{KEY_A}\ntoo-short\n")
    with pytest.raises(ApiKeyConfigError, match=rf"{file}:2: API keys must be at least 16"):
        load_api_keys({"MFS_API_KEYS_FILE": str(file)})
