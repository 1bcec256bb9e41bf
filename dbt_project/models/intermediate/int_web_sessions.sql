{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='anonymous_id',
        on_schema_change='fail'
    )
}}
-- One row per web session: a run of one anonymous id's events with no gap longer than
-- `session_timeout_minutes`. Landing attributes (page, UTM, click id) are the first event's.
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
        end as is_session_start
    from events
    window by_visitor as (partition by anonymous_id order by occurred_at, event_id)
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id order by occurred_at, event_id
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
        arg_min(page_path, (occurred_at, event_id)) as landing_page,
        arg_min(utm_source, (occurred_at, event_id)) as utm_source,
        arg_min(utm_medium, (occurred_at, event_id)) as utm_medium,
        arg_min(utm_campaign, (occurred_at, event_id)) as utm_campaign,
        arg_min(click_id, (occurred_at, event_id)) as click_id,
        arg_min(device, (occurred_at, event_id)) as device,
        arg_min(country_code, (occurred_at, event_id)) as country_code
    from numbered
    group by anonymous_id, session_number
)

select
    *,
    {{ channel_from_utm('utm_source', 'utm_medium') }} as channel
from final
