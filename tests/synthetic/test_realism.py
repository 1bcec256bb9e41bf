"""The generated exports look like real ones: messy PII, heavy tails, seasonality, identity."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(clean_raw: Path) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("set TimeZone='UTC'")
    for p in clean_raw.glob("*.parquet"):
        c.execute(f"create view {p.stem} as select * from read_parquet('{p}')")
    return c


def one(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_emails_are_messy_like_real_forms(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "select count(*) from crm_contacts where email <> trim(email)") > 0
    assert one(con, "select count(*) from crm_contacts where email <> lower(email)") > 0
    assert one(con, "select count(*) from crm_contacts "
                    "where lower(email) like '%+%@gmail.com%'") > 0
    assert one(con, "select count(*) from crm_contacts where email like '%.%@gmail.com%'") > 0


def test_phones_come_in_national_and_international_formats(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "select count(*) from crm_contacts where phone like '+%'") > 0
    assert one(con, "select count(*) from crm_contacts where phone like '(%'") > 0
    assert one(con, "select count(*) from crm_contacts where phone like '00%'") > 0


def test_order_values_are_heavy_tailed(con: duckdb.DuckDBPyConnection) -> None:
    ratio = one(con, "select quantile_cont(amount, 0.99) / median(amount) from crm_orders")
    assert ratio > 5


def test_visitors_identify_late_or_never(con: duckdb.DuckDBPyConnection) -> None:
    anonymous_only = one(con, """
        select count(*) from (select anonymous_id from web_events group by 1
                              having count(user_id) = 0)""")
    mixed = one(con, """
        select count(*) from (select anonymous_id from web_events group by 1
                              having count(user_id) > 0 and count(user_id) < count(*))""")
    assert anonymous_only > 0
    assert mixed > 0


def test_platforms_differ_in_cost_per_click(con: duckdb.DuckDBPyConnection) -> None:
    rows = dict(con.execute(
        "select platform, sum(spend) / sum(clicks) from ad_daily_performance group by 1"
    ).fetchall())
    assert rows["linkedin"] > rows["google_ads"] > rows["meta"]


def test_b2b_accounts_have_several_contacts(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "select max(c) from (select count(*) c from crm_contacts "
                    "where account_id is not null group by account_id)") >= 3


def test_consent_is_given_by_most_but_not_all(con: duckdb.DuckDBPyConnection) -> None:
    share = one(con, """
        with latest as (select contact_id, arg_max(status, occurred_at) status
                        from crm_consent_events group by 1)
        select count(*) filter (where status = 'granted') / (select count(*) from crm_contacts)
        from latest""")
    assert 0.6 < share < 0.95
