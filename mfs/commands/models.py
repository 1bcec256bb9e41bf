"""`mfs models list | show | promote | rollback`: the model registry from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from mfs.commands.output import console, emit_json, fail

if TYPE_CHECKING:
    from training.registry import Registry

models_app = typer.Typer(help="The model registry: versions, cards and the production alias.",
                         no_args_is_help=True)


def _registry() -> Registry:
    from training.registry import Registry

    return Registry()


def _model(name: str) -> str:
    from training.config import ModelConfigError, load_model_config

    try:
        return load_model_config(name).name
    except ModelConfigError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@models_app.command("list")
def list_command(
    model: str = typer.Argument(None, help="One model; default: every model in training/models/."),
    as_json: bool = typer.Option(False, "--json", help="Print the versions as JSON."),
) -> None:
    """Every registered version with its test metrics and gate decision; `*` marks production.

    Example:

      mfs models list purchase-propensity
    """
    from training.config import model_names

    registry = _registry()
    names = [_model(model)] if model else model_names()
    if as_json:
        emit_json({name: {"production": registry.production(name),
                          "versions": registry.versions(name)} for name in names})
        return
    for name in names:
        production = registry.production(name)
        table = Table(title=f"{name} (production: "
                      f"{'v' + str(production) if production else 'none'})")
        for column in ("", "version", "trained at", "service", "test AUC", "oracle AUC",
                       "lift@10%", "gate"):
            table.add_column(column)
        for v in registry.versions(name):
            oracle = v.get("oracle_roc_auc")
            table.add_row("*" if v["version"] == production else "", f"v{v['version']}",
                          v["trained_at"][:19], v["feature_service"], f"{v['test_roc_auc']:.4f}",
                          f"{oracle:.4f}" if oracle else "-", f"{v['test_top_decile_lift']:.2f}",
                          "pass" if v["gate"]["promote"] else "refused")
        console.print(table)


@models_app.command("show")
def show_command(
    model: str = typer.Argument(..., help="purchase-propensity or lead-scoring."),
    version: int = typer.Argument(None, help="Version number; default: production."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole model card as JSON."),
) -> None:
    """A version's model card (Markdown); the HTML report's path is printed at the end.

    Example:

      mfs models show purchase-propensity 3
    """
    from training import card
    from training.registry import RegistryError

    registry, name = _registry(), _model(model)
    version = version or registry.production(name)
    if version is None:
        fail(f"{name} has no production version; name one (mfs models list {name})")
    try:
        folder = registry.version_dir(name, version)
    except RegistryError as exc:
        fail(str(exc))
    if as_json:
        emit_json(card.read(folder))
        return
    console.print((folder / card.CARD_MD).read_text(), markup=False, highlight=False)
    console.print(f"HTML report: {folder / card.CARD_HTML}")


@models_app.command("promote")
def promote_command(
    model: str = typer.Argument(..., help="purchase-propensity or lead-scoring."),
    version: int = typer.Argument(..., help="The version to make production."),
    force: bool = typer.Option(False, "--force", help="Promote even if its gate refused it "
                               "(recorded as forced, with --reason)."),
    reason: str = typer.Option("", "--reason", help="Why; recorded in registry.json."),
) -> None:
    """Make VERSION production, if its promotion gate passed (or with --force and a reason).

    Example:

      mfs models promote lead-scoring 4 --reason "approved by sales ops"
    """
    from training.registry import RegistryError

    registry, name = _registry(), _model(model)
    try:
        registry.version_dir(name, version)
        entry = next(v for v in registry.versions(name) if v["version"] == version)
        if not entry["gate"]["promote"] and not force:
            fail(f"{name} v{version} did not pass its promotion gate: "
                 f"{'; '.join(entry['gate']['reasons'])}. Use --force --reason to override.")
        if force and not reason:
            fail("--force needs --reason: the override is recorded")
        why = (f"forced: {reason}" if force and not entry["gate"]["promote"] else
               reason or "gate passed at training: " + "; ".join(entry["gate"]["reasons"]))
        change = registry.set_production(name, version, why)
    except RegistryError as exc:
        fail(str(exc))
    console.print(f"[bold green]{name}: production is v{change.version}[/] "
                  f"(was {'v' + str(change.previous) if change.previous else 'none'})")


@models_app.command("rollback")
def rollback_command(
    model: str = typer.Argument(..., help="purchase-propensity or lead-scoring."),
    reason: str = typer.Option("manual rollback", "--reason", help="Recorded in registry.json."),
) -> None:
    """Production goes back to the version that was production before the current one.

    Example:

      mfs models rollback purchase-propensity --reason "scores drifted after the release"
    """
    from training.registry import RegistryError

    registry, name = _registry(), _model(model)
    try:
        change = registry.rollback(name, reason)
    except RegistryError as exc:
        fail(str(exc))
    console.print(f"[bold green]{name}: production is v{change.version}[/] "
                  f"(rolled back from v{change.previous})")
