"""The model registry: every trained version with its artifacts, and a `production` alias.

A plain folder (`$MFS_MODELS_DIR`, default `data/models/`), so the embedded default needs no
server and a person can browse it:

    <model>/registry.json        versions, the production alias, and every alias change with why
    <model>/v0001/               model.ubj, encoder.json, card.json, card.md, card.html, plots/
    <model>/v0002/ ...

A version folder is written under a temporary name and renamed into place, and registry.json is
replaced atomically under a file lock: a crashed or concurrent training run never leaves a
half-registered version or a torn index. Versions are never deleted or overwritten.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mfs import paths
from training.config import canonical_name


class RegistryError(ValueError):
    """A registry request that cannot be carried out (names the model and version)."""


@dataclass(frozen=True)
class AliasChange:
    action: str  # promote | rollback | gate-refused
    version: int
    previous: int | None
    reason: str
    at: str


def _next_version(index: dict[str, Any]) -> int:
    return max((v["version"] for v in index["versions"]), default=0) + 1


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Registry:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else paths.models_dir()

    def model_dir(self, model: str) -> Path:
        return self.root / canonical_name(model)

    def version_dir(self, model: str, version: int) -> Path:
        folder = self.model_dir(model) / f"v{version:04d}"
        if not folder.is_dir():
            known = ", ".join(str(v["version"]) for v in self.versions(model)) or "none"
            raise RegistryError(f"{canonical_name(model)} has no version {version} in "
                                f"{self.model_dir(model)} (versions: {known})")
        return folder

    @contextlib.contextmanager
    def _locked(self, model: str) -> Iterator[dict[str, Any]]:
        """The model's index, locked for the block and written back atomically after it."""
        folder = self.model_dir(model)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            index = self._read(model)
            yield index
            tmp = folder / "registry.json.tmp"
            tmp.write_text(json.dumps(index, indent=1))
            os.replace(tmp, folder / "registry.json")

    def _read(self, model: str) -> dict[str, Any]:
        path = self.model_dir(model) / "registry.json"
        if not path.exists():
            return {"model": canonical_name(model), "versions": [],
                    "aliases": {"production": None}, "production_history": [], "history": []}
        return json.loads(path.read_text())

    def next_version(self, model: str) -> int:
        return _next_version(self._read(model))

    def register(self, model: str, staged: Path, entry: dict[str, Any],
                 expected: int | None = None) -> int:
        """Move a fully written version folder into the registry; returns its version.

        `expected` is the number the folder's card was written with: if another run took it
        meanwhile, nothing is registered and the error says so."""
        with self._locked(model) as index:
            version = _next_version(index)
            if expected is not None and expected != version:
                shutil.rmtree(staged, ignore_errors=True)
                raise RegistryError(f"{canonical_name(model)}: another run registered "
                                    f"v{expected} meanwhile; nothing was registered, run again")
            target = self.model_dir(model) / f"v{version:04d}"
            shutil.move(str(staged), target)
            index["versions"].append({"version": version, "registered_at": _now(), **entry})
        return version

    def staging_dir(self, model: str) -> Path:
        """A fresh folder to write a version into before `register` moves it into place."""
        folder = self.model_dir(model) / f".staging-{os.getpid()}-{datetime.now(UTC):%H%M%S%f}"
        folder.mkdir(parents=True)
        return folder

    def versions(self, model: str) -> list[dict[str, Any]]:
        return self._read(model)["versions"]

    def production(self, model: str) -> int | None:
        return self._read(model)["aliases"]["production"]

    def history(self, model: str) -> list[dict[str, Any]]:
        return self._read(model)["history"]

    def set_production(self, model: str, version: int, reason: str,
                       action: str = "promote") -> AliasChange:
        self.version_dir(model, version)  # exists, or a clear error
        with self._locked(model) as index:
            previous = index["aliases"]["production"]
            index["aliases"]["production"] = version
            if previous != version:
                index["production_history"].append(version)
            change = AliasChange(action, version, previous, reason, _now())
            index["history"].append(change.__dict__)
        return change

    def rollback(self, model: str, reason: str) -> AliasChange:
        """Production goes back to the version that was production before the current one."""
        with self._locked(model) as index:
            stack = index["production_history"]
            if len(stack) < 2:
                raise RegistryError(f"{canonical_name(model)}: nothing to roll back to "
                                    f"(production history: {stack or 'empty'})")
            current = stack.pop()
            index["aliases"]["production"] = stack[-1]
            change = AliasChange("rollback", stack[-1], current, reason, _now())
            index["history"].append(change.__dict__)
        return change

    def log(self, model: str, action: str, version: int, reason: str) -> None:
        """Record a decision that changed nothing (e.g. the gate refused a candidate)."""
        with self._locked(model) as index:
            previous = index["aliases"]["production"]
            index["history"].append(AliasChange(action, version, previous, reason,
                                                _now()).__dict__)
