"""The registry keeps every version, moves the production alias, and rolls back."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.registry import Registry, RegistryError


def stage(registry: Registry, marker: str) -> Path:
    folder = registry.staging_dir("purchase_propensity")
    (folder / "model.ubj").write_text(marker)
    return folder


def test_versions_are_numbered_kept_and_promoted_and_rollback_restores_the_previous(
    tmp_path: Path,
) -> None:
    registry = Registry(tmp_path)
    for i in (1, 2, 3):
        version = registry.register("purchase-propensity", stage(registry, f"m{i}"),
                                    {"note": i})
        assert version == i
    assert [v["version"] for v in registry.versions("purchase_propensity")] == [1, 2, 3]
    assert (registry.version_dir("purchase_propensity", 2) / "model.ubj").read_text() == "m2"
    registry.set_production("purchase_propensity", 1, "first")
    registry.set_production("purchase_propensity", 3, "better")
    assert registry.production("purchase_propensity") == 3
    change = registry.rollback("purchase_propensity", "drift")
    assert (change.version, change.previous) == (1, 3)
    assert registry.production("purchase_propensity") == 1
    actions = [h["action"] for h in registry.history("purchase_propensity")]
    assert actions == ["promote", "promote", "rollback"]
    with pytest.raises(RegistryError, match="nothing to roll back to"):
        registry.rollback("purchase_propensity", "again")


def test_unknown_versions_and_raced_numbers_are_clear_errors(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    registry.register("purchase_propensity", stage(registry, "m1"), {})
    with pytest.raises(RegistryError, match=r"has no version 7 .* \(versions: 1\)"):
        registry.set_production("purchase_propensity", 7, "typo")
    staged = stage(registry, "late")
    with pytest.raises(RegistryError, match="another run registered v1 meanwhile"):
        registry.register("purchase_propensity", staged, {}, expected=1)
    assert not staged.exists()
    assert [v["version"] for v in registry.versions("purchase_propensity")] == [1]
