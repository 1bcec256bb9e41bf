"""An incremental build after new days of data equals a full refresh on all the data."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from mfs.contract.truncate import truncate_raw
from tests.builds import Built, run_build

# A Saturday: the incremental run must drop its "latest day" snapshot, add Monday 06-29 and
# the new latest day 06-30.
CUT = datetime(2026, 6, 27, tzinfo=UTC)

TABLES = {
    "customer_features": "select * exclude (created_at) from customer_features "
                         "order by customer_id, snapshot_at",
    "lead_features": "select * exclude (created_at) from lead_features "
                     "order by lead_id, snapshot_at",
    "base_web__events": "select * exclude (built_at) from base_web__events "
                        "order by event_id, occurred_at",
    "int_web_sessions": "select * exclude (built_at) from int_web_sessions order by session_id",
    "int_anonymous_ids_seen_with_user_ids": "select * exclude (built_at) from "
                                            "int_anonymous_ids_seen_with_user_ids "
                                            "order by anonymous_id, user_id",
    "int_anonymous_ids_linked_to_customers": "select * from int_anonymous_ids_linked_to_customers "
                                             "order by anonymous_id",
    "int_customer_activity_daily": "select * exclude (built_at) from int_customer_activity_daily "
                                   "order by customer_id, activity_day",
    "purchase_labels": "select * exclude (created_at) from purchase_labels "
                       "order by customer_id, snapshot_at",
}


def _compiled(root: Path, *models: str) -> dict[str, str]:
    compiled = root / "target" / "compiled"
    return {name: next(compiled.rglob(f"{name}.sql")).read_text() for name in models}


@pytest.fixture(scope="module")
def incremental_build(clean_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Built in two steps, with customer_features computed in chunks of 300 customers (four
    chunks of the 1k world) and int_web_sessions in chunks of 20,000 events, where the full
    refresh it is compared with runs one pass each: so the comparison also proves the chunked
    paths. The first build runs without --full-refresh, the case in which dbt already counts
    int_web_sessions as incremental when its post-hook appends the chunks."""
    root = tmp_path_factory.mktemp("incremental")
    truncate_raw(clean_raw, root / "raw_before", CUT)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MFS_FEATURE_CHUNK_CUSTOMERS", "300")
        env.setenv("MFS_SESSION_CHUNK_EVENTS", "20000")
        # No aggregated pass over every customer either: the second build aggregates its new
        # snapshots chunk by chunk (test_a_second_run_... takes the one pass).
        env.setenv("MFS_FEATURE_AGGREGATED_ROWS", "0")
        first = run_build(root, root / "raw_before")
        assert first.summary.success, first.summary.failing
        first_sql = _compiled(root, "customer_features", "int_web_sessions")
        second = run_build(root, clean_raw)  # same warehouse: incremental models append
        assert second.summary.success, second.summary.failing
        second_sql = _compiled(root, "customer_features", "int_web_sessions",
                               "int_anonymous_ids_seen_with_user_ids")
    assert "hash(contact_id) % 4 = 0" in first_sql["customer_features"], \
        "customer_features was not built in chunks"
    assert "hash(contact_id) % 4 = 0" in second_sql["customer_features"], \
        "customer_features' incremental run was not chunked"
    # Its two new snapshots are aggregated per snapshot; the first build takes the window pass.
    assert "history as (" in second_sql["customer_features"]
    assert "history as (" not in first_sql["customer_features"]
    sessions = re.search(r"hash\(anonymous_id\) % (\d+) = 0", first_sql["int_web_sessions"])
    assert sessions, "int_web_sessions was not built in chunks"
    assert int(sessions.group(1)) > 1, "int_web_sessions was built in one chunk"
    # An incremental run sessionises its recent visitors in one pass.
    assert "hash(anonymous_id)" not in second_sql["int_web_sessions"]
    # The identity graph's event links were recomputed from a recent time, not from scratch.
    sightings = second_sql["int_anonymous_ids_seen_with_user_ids"]
    assert "anti join" in sightings
    assert "1900-01-01" not in sightings
    return second


@pytest.mark.parametrize("table", sorted(TABLES))
def test_incremental_equals_full_refresh(
    clean_build: Built, incremental_build: Built, table: str
) -> None:
    full = clean_build.frame(TABLES[table]).reset_index(drop=True)
    incremental = incremental_build.frame(TABLES[table]).reset_index(drop=True)
    assert len(full) > 0
    pd.testing.assert_frame_equal(full, incremental, check_exact=False, rtol=1e-9)


def test_a_second_run_on_the_same_data_changes_nothing(
    clean_build: Built, incremental_build: Built
) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MFS_FEATURE_CHUNK_CUSTOMERS", "300")
        again = run_build(incremental_build.root, incremental_build.raw)
    assert again.summary.success
    # The one snapshot the pre-hook dropped was aggregated for every customer in one pass,
    # not in the four chunks of 300 customers the window pass would take.
    compiled = _compiled(incremental_build.root, "customer_features")["customer_features"]
    assert "history as (" in compiled
    assert "hash(contact_id)" not in compiled
    sql = TABLES["customer_features"]
    pd.testing.assert_frame_equal(clean_build.frame(sql).reset_index(drop=True),
                                  again.frame(sql).reset_index(drop=True),
                                  check_exact=False, rtol=1e-9)
