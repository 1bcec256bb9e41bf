"""`mfs train MODEL`: train, evaluate, write the model card, register, run the promotion gate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from mfs.commands.output import console, emit_json, fail

if TYPE_CHECKING:  # Feast and XGBoost take seconds to import: only this command pays for them
    from training.train import TrainResult

def print_train_summary(result: TrainResult) -> None:
    card = result.card
    split = card["split"]
    table = Table(title=f"{result.model} v{result.version}: test window "
                  f"{split['test']['first_as_of'][:10]} .. {split['test']['last_as_of'][:10]} "
                  f"({split['test']['rows']:,} rows)")
    for column in ("scorer", "ROC-AUC", "PR-AUC", "log loss", "Brier", "ECE", "lift@10%"):
        table.add_column(column, justify="left" if column == "scorer" else "right")
    for name in ("model", *card["baselines"], *(["oracle"] if "oracle" in card["test"] else [])):
        m = card["test"][name]
        table.add_row(name, *(f"{m[k]:.4f}" for k in ("roc_auc", "pr_auc", "log_loss",
                                                       "brier", "ece")),
                      f"{m['top_decile_lift']:.2f}")
    console.print(table)
    if "oracle" in card["test"]:
        ratio = card["test"]["model"]["roc_auc"] / card["test"]["oracle"]["roc_auc"]
        console.print(f"model / oracle ROC-AUC: {ratio:.4f}")
    console.print(f"trained on {split['train']['rows']:,} rows "
                  f"({split['train']['first_as_of'][:10]} .. {split['train']['last_as_of'][:10]})"
                  f", early-stopped on {split['validation']['rows']:,}; "
                  f"{card['xgboost']['trees']} trees; data sha256 {card['data']['sha256'][:12]}")
    for reason in result.gate.reasons:
        console.print(f"  gate: {reason}", highlight=False)
    verdict = ("[bold green]promoted to production[/]" if result.promoted else
               "[bold yellow]registered, not promoted[/]" if result.gate.promote else
               "[bold red]gate refused: registered, not promoted[/]")
    console.print(f"{verdict}; card: {result.folder / 'card.html'}")


def train_command(
    model: str = typer.Argument(..., help="purchase-propensity or lead-scoring (a yaml in "
                                "training/models/ or $MFS_MODEL_CONFIG_DIR), or a path to a "
                                "model yaml."),
    promote: bool = typer.Option(True, "--promote/--no-promote",
                                 help="Promote when the gate passes (default) or only register."),
    as_json: bool = typer.Option(False, "--json", help="Print the model card as JSON."),
) -> None:
    """Train a new version of MODEL on Feast's point-in-time training set and register it.

    Splits by time (train, validation for early stopping, a final test window), trains XGBoost,
    compares it on the test window with the rule baseline, a logistic regression and (on
    generated data) the oracle, writes the model card (card.md, card.html with plots) and
    registers the version. The promotion gate makes it production only if it beats every
    baseline and is not worse than the current production model beyond the yaml's tolerance.

    Writes data/models/<model>/vNNNN/ and data/models/<model>/registry.json.

    Examples:

      mfs train purchase-propensity

      mfs train lead-scoring --no-promote --json
    """
    import duckdb
    from feast.errors import FeastObjectNotFoundException

    from training.config import ModelConfigError
    from training.datasets import NoLabelledRowsError
    from training.features import FeatureFrameError
    from training.registry import RegistryError
    from training.split import SplitError
    from training.train import train_model

    try:
        with console.status(f"[bold]train[/] {model} ...") as status:
            result = train_model(model, promote=promote,
                                 on_step=lambda step: status.update(f"[bold]train[/] {step}"))
    except NoLabelledRowsError as exc:  # not an error of the data: said, exit 0
        if as_json:
            emit_json({"model": model, "skipped": str(exc)})
        else:
            console.print(f"[bold yellow]skipped[/] {exc}", highlight=False)
        return
    except (ModelConfigError, SplitError, RegistryError, FeatureFrameError,
            FileNotFoundError) as exc:
        fail(str(exc))
    except duckdb.Error as exc:
        fail(f"reading {model}'s labels failed (check `label:` in its yaml): "
             f"{str(exc).splitlines()[0]}")
    except FeastObjectNotFoundException as exc:
        fail(f"{exc}: the Feast registry does not hold the feature repo yet; run `mfs publish` "
             "(or `feast apply` in feature_repo/) after a green `mfs build`")
    if as_json:
        emit_json({**result.card, "version": result.version, "promoted": result.promoted,
                   "folder": str(result.folder), "seconds": result.seconds})
    else:
        print_train_summary(result)
