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
