"""`mfs publish`: feast apply, then incremental materialization into the online store."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from mfs.build.status import BuildNotGreenError
from mfs.commands.output import console, emit_json, fail

if TYPE_CHECKING:  # Feast takes seconds to import: only commands that use it pay for it
    from mfs.featurestore.publish import PublishSummary, ViewPublished


def print_publish_summary(summary: PublishSummary) -> None:
    table = Table(title=f"published to {summary.online_store.rsplit('.', 1)[-1]} "
                  f"({summary.environment}) in {summary.seconds:.1f}s")
    for column in ("feature view", "window (UTC)", "rows read", "written", "s"):
        table.add_column(column, justify="right" if column in ("rows read", "written", "s")
                         else "left")
    for v in summary.views:
        window = (f"{_short(v.window_start)} .. {_short(v.window_end)}"
                  if v.window_start and v.window_end else "no rows")
        table.add_row(v.view, window, f"{v.rows_read:,}", f"{v.written:,}", f"{v.seconds:.2f}")
    console.print(table)
    console.print(f"registry: {summary.registry}")
    if summary.deleted:
        console.print(f"removed from the registry: {', '.join(summary.deleted)}")
    console.print(f"[bold green]publish succeeded[/]: {summary.written:,} online records "
                  "written" + (" (already up to date)" if summary.written == 0 else ""))


def _short(iso: str) -> str:
    """2026-07-01T00:00:00+00:00 -> 2026-07-01; a time of day only when there is one."""
    return iso[:10] if iso[11:19] == "00:00:00" else iso[:19].replace("T", " ")


def publish_command(
    env: str = typer.Option(None, "--env", help="dev (SQLite, file registry; default) or prod "
                            "(Redis, PostgreSQL registry). Default: $MFS_FEAST_ENV or dev."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Register the feature repo with Feast and materialize new feature rows online.

    Runs only when the latest `mfs build` succeeded (every dbt test green): features whose
    tests failed are never published. Incremental and idempotent: each feature view continues
    from where the last publish ended, and a second run writes nothing.

    Writes the Feast registry and online store: data/feast/registry.db and
    data/feast/online_store.db by default; Redis and PostgreSQL with --env prod.

    Examples:

      mfs publish

      MFS_FEAST_ENV=prod mfs publish --json
    """
    import redis
    import sqlalchemy.exc

    from mfs.featurestore.dbt_features import FeatureContractError
    from mfs.featurestore.publish import publish

    try:
        with console.status("[bold]publish[/] feast apply ..."):
            summary = publish(env, on_view=_progress)
    except (BuildNotGreenError, FeatureContractError, ValueError) as exc:
        fail(str(exc))
    except (redis.ConnectionError, sqlalchemy.exc.OperationalError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        what = "online store" if isinstance(exc, redis.ConnectionError) else "registry database"
        fail(f"cannot reach the {what}: {reason} (start PostgreSQL/Redis as the README says, "
             "or set MFS_REDIS_URL / MFS_REGISTRY_URL); no features were published")
    if as_json:
        emit_json({**asdict(summary), "written": summary.written})
    else:
        print_publish_summary(summary)


def _progress(view: ViewPublished) -> None:
    console.print(f"  {view.view}: {view.written:,} written", highlight=False)
