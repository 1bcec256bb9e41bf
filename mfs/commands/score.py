"""`mfs score MODEL`: batch-score every current entity into the warehouse and parquet."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from mfs.commands.output import console, emit_json, fail


def score_command(
    model: str = typer.Argument(..., help="purchase-propensity or lead-scoring."),
    version: int = typer.Option(None, "--version", "-v",
                                help="Score with this registered version instead of production "
                                "(e.g. a candidate the gate refused, for comparison)."),
    chunk_rows: int = typer.Option(1_000_000, "--chunk-rows", min=1000,
                                   help="Entities per chunk; bounds memory (~4 GiB at 1M)."),
    as_of: datetime = typer.Option(None, "--as-of", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
                                   help="Backfill: the scores of this past time (UTC), into "
                                   "data/scores/history/ only, for performance monitoring."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Score every current entity of MODEL with its production model.

    "Current" is the end of the last `mfs publish`, the moment the online store describes:
    features come from Feast's offline store as of that time, for every entity with a feature
    row within its view's TTL, and go through the same scorer as the online API.

    Writes data/scores/<model>.parquet and the `scores` table of the DuckDB warehouse (the
    model's previous rows replaced only once every entity is scored), and keeps a copy in
    data/scores/history/<model>/ for performance monitoring. Columns: model, entity_id,
    score, decile (1 = highest), model_version, features_as_of, scored_at. --as-of backfills
    the history with the scores of a past time.

    Examples:

      mfs score purchase-propensity

      mfs score lead-scoring --version 3 --json
    """
    from dataclasses import asdict

    from feast.errors import FeastObjectNotFoundException

    from serving.batch import score_all
    from serving.online import NotPublishedError
    from training.registry import RegistryError

    try:
        with Progress("[bold]score[/] " + model, BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task("score", total=None)
            summary = score_all(model, version=version, chunk_rows=chunk_rows, as_of=as_of,
                                on_progress=lambda done, total: progress.update(
                                    task, completed=done, total=total))
    except (RegistryError, NotPublishedError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    except FeastObjectNotFoundException as exc:
        fail(f"{exc}: run `mfs publish` after a green `mfs build`")
    if as_json:
        emit_json(asdict(summary))
        return
    console.print(f"scored {summary.entities:,} entities with {summary.model} "
                  f"v{summary.version} (features as of {summary.features_as_of}) in "
                  f"{summary.seconds:.1f}s -> {summary.parquet} and table `scores` of "
                  f"{summary.warehouse}")
