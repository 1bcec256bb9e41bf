"""Cut a raw directory at time T: what the exports would have contained had they been taken then.

Event tables keep rows before T. Current-state tables keep records created before T and roll
their later changes back (a refund, a conversion or a closed deal after T is not known yet).
Used to prove point-in-time correctness (build on the cut data, compare the snapshot at T) and to
stage incremental benchmarks:

    python -m mfs.contract.truncate SRC_DIR DST_DIR 2026-06-29T00:00:00+00:00
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import duckdb

_RULES = {
    "web_events": "select * from t where occurred_at < $T",
    "web_identifies": "select * from t where occurred_at < $T",
    "crm_consent_events": "select * from t where occurred_at < $T",
    "ad_clicks": "select * from t where clicked_at < $T",
    "ad_daily_performance": "select * from t where report_date < cast($T as date)",
    "crm_accounts": "select * from t where created_at < $T",
    "crm_contacts": "select * replace (least(updated_at, $T - interval 1 second) as updated_at) "
                    "from t where created_at < $T",
    "crm_orders": """
        select * replace (
            case when refunded_at >= $T then 'completed' else status end as status,
            case when refunded_at >= $T then null else refunded_at end as refunded_at)
        from t where ordered_at < $T""",
    "crm_leads": """
        select * replace (
            case when converted_at >= $T then 'working' else status end as status,
            case when converted_at >= $T then null else converted_at end as converted_at,
            case when converted_at >= $T then null else opportunity_id end as opportunity_id)
        from t where created_at < $T""",
    "crm_opportunities": """
        select * replace (
            case when closed_at >= $T then 'negotiation' else stage end as stage,
            case when closed_at >= $T then null else closed_at end as closed_at,
            case when closed_at >= $T then false else is_won end as is_won)
        from t where created_at < $T""",
    "ad_campaigns": """
        select * replace (case when ended_on >= cast($T as date) then null else ended_on end
                          as ended_on)
        from t where started_on < cast($T as date)""",
}


def truncate_raw(src: Path, dst: Path, at: datetime) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        for name, sql in _RULES.items():
            path = src / f"{name}.parquet"
            if not path.exists():
                continue
            con.execute(f"create or replace temp view t as select * from read_parquet('{path}')")
            query = sql.replace("$T", f"timestamptz '{at.isoformat()}'")
            con.execute(f"copy ({query}) to '{dst / path.name}' (format parquet)")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: python -m mfs.contract.truncate SRC_DIR DST_DIR ISO_TIME")
    truncate_raw(Path(sys.argv[1]), Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3]))
