"""What the warehouse's stored rows mean: the definition vars (snapshot grid, session timeout,
label horizons) they were built with, compared with a build's before it starts.

Incremental models keep the rows earlier builds made; a build under another label horizon would
leave the old labels in place and recompute only the newest (the next "60-day" model would be a
30-day one). dbt records the values after every whole passing build (macros/definitions.sql,
table `dbt_definitions`) and refuses a plain `dbt build` under other values; `mfs build` checks
first and rebuilds every row itself, saying why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from mfs.build.dbt_vars import dbt_var

DEFINITIONS_TABLE = "dbt_definitions"  # macros/definitions.sql: definitions_table()


def current_definitions(dbt_vars: dict[str, Any] | None) -> dict[str, str]:
    """{var: value as text} for a build with these --vars (dbt_project.yml's otherwise); text
    as dbt's `| string` writes it, so the two compare."""
    given = dbt_vars or {}
    return {name: str(given.get(name, dbt_var(name))) for name in dbt_var("definition_vars")}


def stored_definitions(warehouse: Path) -> dict[str, str]:
    """The values the warehouse's rows were built with ({} before the first passing build)."""
    if not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute("select count(*) from information_schema.tables where table_name = ?",
                            [DEFINITIONS_TABLE]).fetchone()
        if not found or not found[0]:
            return {}
        return dict(con.execute(f"select name, value from {DEFINITIONS_TABLE}").fetchall())


def definition_changes(warehouse: Path, dbt_vars: dict[str, Any] | None) -> list[str]:
    """'name old -> new' for each definition var this build would change."""
    stored = stored_definitions(warehouse)
    return [f"{name} {stored[name]} -> {value}"
            for name, value in current_definitions(dbt_vars).items()
            if name in stored and stored[name] != value]
