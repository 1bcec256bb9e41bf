{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_newest_snapshot() }}"
    )
}}
-- One row per open lead per snapshot time (every Monday plus the latest day): leads created
-- before the snapshot whose opportunity was neither won nor lost by then. Engagement counts
-- everything known by the snapshot, split at the lead's creation.
--
-- Incremental like customer_features: the pre-hook drops the newest snapshot (the previous
-- "latest day") and the run adds the snapshots after the newest one kept; older snapshots
-- never change. Only the new snapshots' leads' activity enters the window pass.
with

calendar as (
    select snapshot_at from {{ ref('int_snapshot_calendar') }}
    {% if is_incremental() %}
        where snapshot_at > {{ newest_snapshot_built() }}
    {% endif %}
),

journeys as (
    select * from {{ ref('int_lead_journeys') }}
),

spine as (
    select
        journeys.lead_id,
        calendar.snapshot_at,
        {{ epoch_day('calendar.snapshot_at') }} - 1 as activity_day
    from journeys
    cross join calendar
    where
        journeys.created_at < calendar.snapshot_at
        and (journeys.won_at is null or journeys.won_at > calendar.snapshot_at)
        and (journeys.lost_at is null or journeys.lost_at > calendar.snapshot_at)
),

-- The history of the leads with a snapshot row: every lead in a full build, the new
-- snapshots' open leads in an incremental run.
activity as (
    select * from {{ ref('int_lead_activity_daily') }}
    where lead_id in (select spine.lead_id from spine)
),

unioned as (
    select
        *,
        false as is_snapshot,
        cast(null as timestamptz) as snapshot_at
    from activity
    union all by name
    select
        lead_id,
        activity_day,
        true as is_snapshot,
        snapshot_at
    from spine
),

windowed as (
    select
        lead_id,
        snapshot_at,
        is_snapshot,
        activity_day,
        sum(visits_after) over lifetime as visits_since_created,
        sum(visits_before) over lifetime as visits_before_created,
        sum(pricing_views_after) over lifetime as pricing_views_since_created,
        sum(form_submits_after) over lifetime as form_submits_since_created,
        sum(ad_touches_before) over lifetime as ad_touches_before_created,
        sum(ad_touches_after) over lifetime as ad_touches_since_created,
        max(case when visits_after + visits_before > 0 then activity_day end) over lifetime
            as last_visit_day
    from unioned
    window lifetime as (
        partition by lead_id order by activity_day
        range between unbounded preceding and current row
    )
),

final as (
    select
        windowed.lead_id,
        windowed.snapshot_at,
        journeys.lead_source,
        journeys.title_seniority,
        journeys.industry,
        journeys.employee_count,
        {{ employee_size_band('journeys.employee_count') }} as company_size_band,
        coalesce(journeys.country_code, 'unknown') as country_code,
        journeys.is_existing_contact,
        {{ days_between('journeys.created_at', 'windowed.snapshot_at') }}
            as lead_age_days,
        cast(coalesce(windowed.visits_since_created, 0) as bigint) as visits_since_created,
        cast(coalesce(windowed.visits_before_created, 0) as bigint) as visits_before_created,
        cast(coalesce(windowed.pricing_views_since_created, 0) as bigint)
            as pricing_views_since_created,
        cast(coalesce(windowed.form_submits_since_created, 0) as bigint)
            as form_submits_since_created,
        cast(coalesce(windowed.ad_touches_before_created, 0) as bigint)
            as ad_touches_before_created,
        cast(coalesce(windowed.ad_touches_since_created, 0) as bigint)
            as ad_touches_since_created,
        cast(windowed.activity_day + 1 - windowed.last_visit_day as bigint)
            as days_since_last_visit,
        {{ run_started_at_utc() }}
            as created_at
    from windowed
    inner join journeys
        on windowed.lead_id = journeys.lead_id
    where windowed.is_snapshot
)

select * from final
