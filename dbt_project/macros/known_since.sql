{#-
    Incremental reads of the rows that became known at or after a time, for
    int_customer_activity_daily, which recomputes its last days from those rows.

    In the stitched web views (int_web_events_stitched_to_customers,
    int_web_sessions_stitched_to_customers) a row becomes known at available_at = the later of
    its own time and its device's link time. A filter on that derived column reaches no scan:
    every stored event was joined to the identity graph first (5.2 s of a one-day run's 7 s
    int_customer_activity_daily at 1M customers). known_since reads the same rows in two parts
    that scans can prune: rows whose own time is at or after `since` (events are stored in time
    order, so the scan skips older row groups), and older rows whose device was linked at or
    after `since` (the filter shrinks the identity graph side of the join to the recent links).
    `since` must be a literal, not a subquery: only a constant reaches the scans.
-#}
{% macro known_since(relation, own_time, since) %}
    (
        select * from {{ relation }}
        where {{ own_time }} >= {{ since }}
        union all
        select * from {{ relation }}
        where
            {{ own_time }} < {{ since }}
            and linked_at >= {{ since }}
            and available_at >= {{ since }}
    )
{% endmacro %}

{#- The start of the first day an incremental run of a daily-activity model recomputes, as a
    timestamptz literal: the newest `day_column` (days since 1970-01-01) built, minus the
    lookback. before_any_data() when nothing is built (a full refresh, an empty table). -#}
{% macro daily_recompute_from(day_column) %}
    {% if not (execute and is_incremental()) %}{% do return(before_any_data()) %}{% endif %}
    {% set newest = run_query("select max(" ~ day_column ~ ") from " ~ this)
        .columns[0].values()[0] %}
    {% if newest is none %}{% do return(before_any_data()) %}{% endif %}
    {% set first_day = modules.datetime.date(1970, 1, 1)
        + modules.datetime.timedelta(days=newest - var('incremental_lookback_days')) %}
    {% do return("timestamptz '" ~ first_day.isoformat() ~ " 00:00:00+00'") %}
{% endmacro %}

{#- int_anonymous_ids_seen_with_user_ids' recompute point, as a timestamptz literal: the
    earliest accepted event written after the model's newest row (infinity when none was,
    before_any_data() when nothing is built). dbt compiles the model before it runs the
    pre-hook's delete, so both read it before the delete and agree. -#}
{% macro user_id_sightings_recompute_from() %}
    {% if not (execute and is_incremental()) %}{% do return(before_any_data()) %}{% endif %}
    {% set since = run_query(
        "select strftime(min(occurred_at) at time zone 'UTC', '%Y-%m-%d %H:%M:%S.%f') from "
        ~ ref('stg_web__events') ~ " where built_at > (select coalesce(max(built_at), "
        ~ before_any_data() ~ ") from " ~ this ~ ")").columns[0].values()[0] %}
    {% if since is none %}{% do return("timestamptz 'infinity'") %}{% endif %}
    {% do return("timestamptz '" ~ since ~ "+00'") %}
{% endmacro %}
