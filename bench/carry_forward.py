"""customer_features' one-day snapshots carried forward, measured against the build's query.

A one-day build computes customer_features' new snapshots by aggregating every customer's whole
history (the `history as (` path of macros/customer_features.sql). This experiment computes the
same snapshots from the newest snapshot the build kept: its values, plus each day after it,
minus each day that left a window, as signed sums over only those days (docs/scaling.md, "What
closing the gap would take"). Both queries run alternately on the warehouse that the
benchmark's one-day stage leaves, into temporary tables, and both are compared with the rows
that build stored.

The carried query is a prototype, not a model: it recovers totals the mart does not publish
(gross revenue over 365 days, lifetime refunds and leads) from what it publishes (the ratios
and the lifecycle stage) and keeps the stored first touch, so docs/scaling.md lists what it
would need to be exact. Usage, after
`python -m bench.run --scale 1m --stages generate,build_full,build_incremental_one_day`:

    python -m bench.carry_forward [--data bench/work/1m/data] [--label 1m] [--repeats 2]

Writes bench/results/<label>-carry-forward.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bench.run import RESULTS, machine

LANE_BITS = 42
LANES_PER_PACK = 3
# Rows of a double feature are equal within the tolerance tests/build/test_incremental.py uses.
RTOL, ATOL = 1e-9, 1e-8
# (feature, the daily amount it sums, window in days, the base snapshot's value).
MONEY = (
    ("net_revenue_30d_usd", "h.gross_revenue_usd - h.refunded_usd", 30,
     "base.net_revenue_30d_usd"),
    ("net_revenue_90d_usd", "h.gross_revenue_usd - h.refunded_usd", 90,
     "base.net_revenue_90d_usd"),
    ("net_revenue_365d_usd", "h.gross_revenue_usd - h.refunded_usd", 365,
     "base.net_revenue_365d_usd"),
    ("gross_revenue_365d_usd", "h.gross_revenue_usd", 365,
     "base.avg_order_value_365d_usd * base.orders_365d"),
    ("attributed_spend_90d_usd", "h.attributed_spend_usd", 90, "base.attributed_spend_90d_usd"),
)
# Lifetime counts the mart does not publish, recovered from what it does.
UNPUBLISHED_COUNTS = (
    ("refunds_lifetime", "refunds", "round(base.refund_rate_lifetime * base.orders_lifetime)"),
    ("leads_lifetime", "leads_created", "(base.lifecycle_stage = 'lead')::int"),
)


def epoch_day(ts: datetime) -> int:
    return int(ts.timestamp() // 86400)


def compiled_one_day_query(run_results: Path) -> str:
    """customer_features' query as the last build ran it: it must be the aggregated path."""
    results = json.loads(run_results.read_text())
    node = next(r for r in results["results"]
                if r["unique_id"] == "model.marketing_feature_store.customer_features")
    sql = node["compiled_code"]
    if "history as (" not in sql or "hash(contact_id)" in sql:
        sys.exit(f"{run_results}: the last build did not aggregate customer_features' new "
                 "snapshots in one pass; run the benchmark's build_incremental_one_day stage "
                 "first")
    return sql[sql.index("with\n"):]


def with_calendar_after(sql: str, base: datetime) -> str:
    """The query with its calendar cut at `base`, so it recomputes the snapshots after it."""
    start = sql.index("calendar as (")
    end = sql.index("\n),\n", start) + len("\n),\n")
    return (sql[:start] + "calendar as (\n    select snapshot_at from "
            + sql[start:end].split("from ", 1)[1].split()[0]
            + f"\n    where snapshot_at > timestamptz '{base.isoformat()}'\n),\n" + sql[end:])


def count_features(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int | None, str]]:
    """(feature, daily count, window, base value) for every count the mart publishes, read off
    the mart's and the daily activity's columns ("orders_30d" sums `orders` over 30 days), plus
    the unpublished lifetime counts."""
    measures = {r[0] for r in con.sql("describe int_customer_activity_daily").fetchall()}
    counts: list[tuple[str, str, int | None, str]] = []
    for (column,) in con.sql("select column_name from (describe customer_features)").fetchall():
        match = re.fullmatch(r"(?P<measure>[a-z_]+)_(?:(?P<days>\d+)d|lifetime)", column)
        if match and match["measure"] in measures:
            days = int(match["days"]) if match["days"] else None
            counts.append((column, match["measure"], days, f"base.{column}"))
    counts += [(name, measure, None, base) for name, measure, base in UNPUBLISHED_COUNTS]
    return counts


def carried_query(sql: str, counts: list[tuple[str, str, int | None, str]], base: datetime,
                  last_day: int) -> str:
    """The aggregated query with its aggregation swapped for the carried one."""
    base_day = epoch_day(base) - 1
    windows = sorted({days for _, _, days, _ in counts if days} | {d for *_, d, _ in MONEY})

    def sign(days: int | None) -> str:
        entering = f"(h.activity_day > {base_day})::int"
        if days is None:
            return entering
        return (f"({entering} - (h.activity_day > {base_day - days} "
                f"and h.activity_day <= s.activity_day - {days})::int)")

    packs = [[c for c in counts if c[2] == days][i:i + LANES_PER_PACK]
             for days in [None, *windows]
             for i in range(0, sum(c[2] == days for c in counts), LANES_PER_PACK)]
    pack_sums = ",\n".join(
        "coalesce(sum((" + " + ".join(f"(coalesce(h.{measure}, 0)::hugeint << {LANE_BITS * lane})"
                             for lane, (_, measure, _, _) in enumerate(pack))
        + f") * {sign(pack[0][2])}), 0) as pack_{n}"
        for n, pack in enumerate(packs))
    money_sums = ",\n".join(f"coalesce(sum(({amount}) * {sign(days)}), 0) as change_{name}"
                            for name, amount, days, _ in MONEY)
    lanes = ",\n".join(
        f"((c.pack_{n} + (" + " + ".join(f"(coalesce({b}, 0)::hugeint << {LANE_BITS * i})"
                                         for i, (_, _, _, b) in enumerate(pack))
        + f")) >> {LANE_BITS * lane}) & {2**LANE_BITS - 1} as {name}"
        for n, pack in enumerate(packs) for lane, (name, _, _, _) in enumerate(pack))
    money = ",\n".join(f"coalesce({b}, 0) + c.change_{name} as {name}"
                       for name, _, _, b in MONEY)
    in_ranges = " or ".join([f"h.activity_day > {base_day}"] + [
        f"(h.activity_day > {base_day - d} and h.activity_day <= {last_day - d})"
        for d in windows])
    carried = f"""
history as (
    select h.* from (
        select * exclude (last_visit_at, form_submits),
            null::bigint as campaign_window_change, null::varchar as touch_channel,
            null::timestamptz as touched_at
        from activity
        union all by name
        select customer_id, activity_day, enters_window::int as campaign_window_change,
            channel as touch_channel, touched_at
        from touches_with_campaign_window
        union all by name
        select customer_id, activity_day + 90 as activity_day,
            -count(*) as campaign_window_change
        from touches_with_campaign_window
        where leaves_window
        group by all
    ) as h
    where {in_ranges}
),

changes as (
    select
        s.customer_id, s.snapshot_at, s.activity_day,
        {pack_sums},
        {money_sums},
        coalesce(sum(h.campaign_window_change * {sign(None)}), 0) as change_campaigns,
        max(h.activity_day) filter (where h.orders > 0 and h.activity_day > {base_day})
            as new_last_order_day,
        max(h.activity_day) filter (where h.sessions > 0 and h.activity_day > {base_day})
            as new_last_visit_day,
        arg_min(h.touch_channel, h.touched_at) filter (where h.activity_day > {base_day})
            as new_first_channel,
        arg_max(h.touch_channel, h.touched_at) filter (where h.activity_day > {base_day})
            as new_last_channel
    from spine as s
    left join history as h
        on s.customer_id = h.customer_id and h.activity_day <= s.activity_day
    group by all
),

base as (
    select * from customer_features
    where snapshot_at = timestamptz '{base.isoformat()}'
),

snapshots as (
    select
        c.customer_id, c.snapshot_at, c.activity_day,
        greatest({base_day} + 1 - base.days_since_last_order, c.new_last_order_day)
            as last_order_day,
        greatest({base_day} + 1 - base.days_since_last_visit, c.new_last_visit_day)
            as last_visit_day,
        coalesce(nullif(base.first_touch_channel, 'none'), c.new_first_channel)
            as first_touch_channel,
        coalesce(c.new_last_channel, nullif(base.last_touch_channel, 'none'))
            as last_touch_channel,
        coalesce(base.distinct_campaigns_90d, 0) + c.change_campaigns as distinct_campaigns_90d,
        {lanes},
        {money}
    from changes as c
    left join base on c.customer_id = base.customer_id
),

"""
    return sql[:sql.index("unioned as (")] + carried + sql[sql.index("final as ("):]


def differences(con: duckdb.DuckDBPyConnection, table: str, base: datetime) -> dict[str, int]:
    """Rows per column where `table` differs from the snapshots the build stored after `base`."""
    stored = ("(select * from customer_features "
              f"where snapshot_at > timestamptz '{base.isoformat()}')")
    found = {}
    columns = con.sql(f"select column_name, column_type from (describe {table})").fetchall()
    for name, kind in columns:
        if name in ("customer_id", "snapshot_at", "created_at"):
            continue
        differs = (f"not (b.{name} is not distinct from t.{name} "
                   f"or abs(b.{name} - t.{name}) <= {ATOL} + {RTOL} * abs(b.{name}))"
                   if kind == "DOUBLE" else f"b.{name} is distinct from t.{name}")
        rows = con.sql(f"select count(*) from {stored} as b full join {table} as t "
                       f"using (customer_id, snapshot_at) where {differs}").fetchall()[0][0]
        if rows:
            found[name] = rows
    return found


def compare(warehouse: Path, run_results: Path, repeats: int) -> dict[str, object]:
    """Both queries timed `repeats` times each, alternately, and compared with the build's rows."""
    aggregated_sql = compiled_one_day_query(run_results)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set memory_limit = '8GB'; set preserve_insertion_order = false; "
                    "set TimeZone = 'UTC'")
        newest_run, = con.sql("select max(created_at) from customer_features").fetchall()[0]
        base, = con.sql("select max(snapshot_at) from customer_features "
                        f"where created_at < timestamptz '{newest_run.isoformat()}'").fetchall()[0]
        new_snapshots = [r[0] for r in con.sql(
            "select distinct snapshot_at from customer_features "
            f"where snapshot_at > timestamptz '{base.isoformat()}' order by 1").fetchall()]
        aggregated = with_calendar_after(aggregated_sql, base)
        carried = carried_query(aggregated, count_features(con), base,
                                epoch_day(new_snapshots[-1]) - 1)
        seconds: dict[str, list[float]] = {"aggregated": [], "carried": []}
        for _ in range(repeats):
            for name, sql in (("aggregated", aggregated), ("carried", carried)):
                started = time.perf_counter()
                con.execute(f"create or replace temp table {name} as {sql}")
                seconds[name].append(round(time.perf_counter() - started, 2))
                print(f"{name:>10}: {seconds[name][-1]:6.2f} s", flush=True)
        return {
            "base_snapshot": base.isoformat(),
            "new_snapshots": [s.isoformat() for s in new_snapshots],
            "rows": con.sql("select count(*) from carried").fetchall()[0][0],
            "seconds": seconds,
            # Both best times of the same run: how many times faster the carried query is.
            "speedup": round(min(seconds["aggregated"]) / min(seconds["carried"]), 2),
            "differences_from_the_build": {name: differences(con, name, base) for name in seconds},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("bench/work/1m/data"))
    parser.add_argument("--label", default="1m")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    result = {
        "run": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join(["python", "-m", "bench.carry_forward", *sys.argv[1:]]),
        "machine": machine(),
        **compare(args.data / "warehouse.duckdb",
                  args.data / "dbt" / "target" / "run_results.json", args.repeats),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{args.label}-carry-forward"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(render(result))
    print(json.dumps(result["differences_from_the_build"]))


def render(result: dict) -> str:
    diffs = result["differences_from_the_build"]
    rows = "\n".join(f"| {name} | {', '.join(f'{s:.2f}' for s in times)} | "
                     f"{', '.join(f'{c}: {n:,}' for c, n in diffs[name].items()) or 'none'} |"
                     for name, times in result["seconds"].items())
    return f"""# customer_features' one-day snapshots: aggregated against carried forward

Machine: {result['machine']}

Reproduce: `{result['command']}` (run {result['run']}), on the warehouse the benchmark's
one-day stage leaves. Base snapshot {result['base_snapshot']}; new snapshots
{', '.join(result['new_snapshots'])}: {result['rows']:,} rows. Each query writes a temporary
table; the runs alternate. Differences are rows per column against the snapshots the build
stored (doubles within rtol {RTOL}, atol {ATOL}).

The carried query is {result['speedup']}x as fast (best time against best time).

| query | seconds | columns that differ (rows) |
|---|---|---|
{rows}
"""


if __name__ == "__main__":
    main()
