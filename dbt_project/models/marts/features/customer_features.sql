{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_newest_snapshot() }}",
        post_hook="{{ insert_customer_feature_chunks() }}"
    )
}}
-- One row per customer per snapshot time (every Monday plus the latest day), for every contact
-- created before the snapshot. Each feature uses only what was known at the snapshot: events,
-- sessions and touches count from the time they became attributable (identity links included),
-- orders from when they were placed, refunds from when they were processed.
--
-- Windows are in whole UTC days ending at the snapshot: "30d" at 2026-06-01 00:00 covers
-- 2026-05-02 00:00 to 2026-06-01 00:00. Computed as RANGE windows over one ordered pass of the
-- daily activity (no per-snapshot joins), which is what keeps 1M customers x 53 snapshots fast.
--
-- Incremental: the pre-hook drops the newest snapshot (the previous "latest day"), and snapshots
-- after the remaining newest one are recomputed; older snapshots never change (late data is, by
-- definition, not what was known then). A few new snapshots (a chunk's; at most var
-- customer_features_max_aggregated_snapshots) are computed as one group by over their
-- customers' history rather than the window pass over all of it.
--
-- The query lives in macros/customer_features.sql because it runs once per chunk of customers
-- (var customer_features_chunk_customers, 250,000 by default): this file builds chunk 0 and
-- the post-hook appends the rest, which keeps one pass inside DuckDB's memory limit at 1M.
-- An incremental run with few new snapshot rows (var customer_features_aggregated_rows)
-- aggregates them in one pass over every customer instead, and the post-hook adds nothing.
{% if customer_features_in_one_pass() %}
    {{ customer_features_query(chunk=0, chunks=1, by_aggregation=true) }}
{% else %}
    {% set chunks = customer_feature_chunk_count() %}
    {{ customer_features_query(
        chunk=0, chunks=chunks, by_aggregation=customer_features_by_aggregation(0, chunks)
    ) }}
{% endif %}
