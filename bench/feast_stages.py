"""Benchmark stages around Feast that have no `mfs` command of their own: the baselines.

Each subcommand runs one stage in this process and prints a JSON line with `seconds` (the timed
call, excluding interpreter start and imports) and what it produced:

  stock-materialize --online sqlite|redis   Feast's own online store and `FeatureStore.materialize`
                                            (the code behind `feast materialize`), per view over
                                            the window `mfs publish` uses for a first publish
  training-set --model M --rows N           training.datasets.training_set on the latest as-of
                                            times covering about N label rows
  asof-baseline --model M --rows N          the same frame by one hand-written DuckDB ASOF JOIN

The two training stages write their frames to --out so that bench.run can check them equal.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from mfs import paths

STOCK_ONLINE = {
    "sqlite": lambda work: {"type": "sqlite", "path": str(work / "stock_online.db")},
    "redis": lambda work: {"type": "redis", "connection_string": "127.0.0.1:6379,db=14"},
}


def stock_materialize(online: str, work: Path) -> dict[str, object]:
    import redis
    from feast import FeatureStore, RepoConfig

    from mfs.featurestore.definitions import definitions
    from mfs.featurestore.publish import apply_repo, newest_snapshot
    from mfs.featurestore.store import FEATURE_REPO, raw_config

    work.mkdir(parents=True, exist_ok=True)
    (work / "stock_online.db").unlink(missing_ok=True)
    (work / "stock_registry.db").unlink(missing_ok=True)
    if online == "redis":
        redis.Redis(host="127.0.0.1", port=6379, db=14).flushdb()
    config = raw_config("dev")
    config["registry"] = {"registry_type": "file", "path": str(work / "stock_registry.db")}
    config["online_store"] = STOCK_ONLINE[online](work)
    config["offline_store"] = {"type": "duckdb"}
    store = FeatureStore(config=RepoConfig(**config, repo_path=FEATURE_REPO),
                         repo_path=str(FEATURE_REPO))
    apply_repo(store)
    seconds, windows = 0.0, []
    with duckdb.connect() as con:
        for mart in definitions().marts:
            end = newest_snapshot(con, mart, paths.mart_export(mart.model))
            for view in mart.views:
                started = time.perf_counter()
                store.materialize(end - view.ttl, end, feature_views=[view.name])
                seconds += time.perf_counter() - started
                windows.append({"view": view.name, "start": str(end - view.ttl),
                                "end": str(end)})
    return {"seconds": round(seconds, 2), "online_store": online, "windows": windows}


def _window(model: str, rows: int) -> tuple[datetime, datetime, int]:
    """The latest as-of times whose complete labels add up to at least `rows`."""
    from training.config import load_model_config

    label = load_model_config(model).label
    path = paths.mart_export(label.mart)
    with duckdb.connect() as con:
        counts = con.execute(
            f"select {label.as_of_column}, count(*) from read_parquet('{path}') "
            f"where {label.complete_column} group by 1 order by 1 desc").fetchall()
    total, start = 0, counts[0][0]
    for as_of, n in counts:
        total, start = total + n, as_of
        if total >= rows:
            break
    return start, counts[0][0] + timedelta(microseconds=1), total


def training_set_stage(model: str, rows: int, out: Path) -> dict[str, object]:
    from training.datasets import training_set

    start, end, expected = _window(model, rows)
    started = time.perf_counter()
    frame = training_set(model, start, end)
    seconds = time.perf_counter() - started
    frame.to_parquet(out)
    return {"seconds": round(seconds, 2), "rows": len(frame), "columns": frame.shape[1],
            "expected_rows": expected, "start": str(start), "end": str(end)}


def asof_baseline(model: str, rows: int, out: Path) -> dict[str, object]:
    """What an expert would write by hand: one ASOF JOIN per mart over the rows that can
    matter, TTLs as CASEs, the frame ordered like training_set's."""
    from mfs.featurestore.definitions import definitions
    from training.config import load_model_config

    config = load_model_config(model)
    label = config.label
    start, end, _ = _window(model, rows)
    defs = definitions()
    service_views = {v.name for m in defs.marts for v in m.views
                     if v.name in _service_views(config.feature_service)}
    marts = [m for m in defs.marts if any(v.name in service_views for v in m.views)]
    selects, joins = [], []
    for i, mart in enumerate(marts):
        for view in (v for v in mart.views if v.name in service_views):
            ttl_us = int(view.ttl.total_seconds() * 1_000_000)
            selects += [f"case when f{i}.{mart.timestamp_field} >= l.event_timestamp - "
                        f"to_microseconds({ttl_us}) then f{i}.{f.name} end as {f.name}"
                        for f in view.features]
        # Read only rows that can matter: none after the window, none older than its start
        # minus the longest TTL (as the store does; without it DuckDB sorts all history).
        oldest = start - max(v.ttl for v in mart.views if v.name in service_views)
        ts = mart.timestamp_field
        joins.append(f"asof left join (select * from read_parquet('"
                     f"{paths.mart_export(mart.model)}') "
                     f"where {ts} >= '{oldest.isoformat()}'::timestamptz "
                     f"and {ts} < '{end.isoformat()}'::timestamptz) f{i} "
                     f"on l.{mart.join_key} = f{i}.{mart.join_key} "
                     f"and l.event_timestamp >= f{i}.{ts}")
    key = marts[0].join_key
    query = (f"with l as (select {key}, {label.as_of_column} as event_timestamp, {label.column} "
             f"from read_parquet('{paths.mart_export(label.mart)}') "
             f"where {label.complete_column} and {label.as_of_column} >= $start "
             f"and {label.as_of_column} < $end) "
             f"select l.{key}, l.event_timestamp, {', '.join(selects)}, l.{label.column} "
             f"from l {' '.join(joins)} order by l.event_timestamp, l.{key}")
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        frame = con.execute(query, {"start": start, "end": end}).df()
    seconds = time.perf_counter() - started
    frame.to_parquet(out)
    return {"seconds": round(seconds, 2), "rows": len(frame), "columns": frame.shape[1]}


def _service_views(service: str) -> set[str]:
    from mfs.featurestore.publish import repo_contents

    found = next(s for s in repo_contents().feature_services if s.name == service)
    return {p.name for p in found.feature_view_projections}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=["stock-materialize", "training-set", "asof-baseline"])
    parser.add_argument("--online", choices=sorted(STOCK_ONLINE), default="sqlite")
    parser.add_argument("--model", default="purchase_propensity")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path("bench/work"))
    parser.add_argument("--out", type=Path, default=Path("bench/work/frame.parquet"))
    args = parser.parse_args()
    args.work, args.out = args.work.resolve(), args.out.resolve()  # Feast's apply changes cwd
    if args.stage == "stock-materialize":
        result = stock_materialize(args.online, args.work)
    elif args.stage == "training-set":
        result = training_set_stage(args.model, args.rows, args.out)
    else:
        result = asof_baseline(args.model, args.rows, args.out)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
