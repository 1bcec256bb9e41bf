{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        on_schema_change='fail'
    )
}}
-- Typed web events with their rejection reason; the largest table, so it is incremental:
-- each run re-reads events from `incremental_lookback_days` before the newest accepted event
-- (late arrivals), and delete+insert on event_id keeps exact duplicates classified the same
-- way as a full refresh would.
with

source as (
    select * from {{ source('web', 'web_events') }}
    {% if is_incremental() %}
        where {{ parse_timestamp('occurred_at', 'web_events') }} > (
            select max(loaded.occurred_at) - interval {{ var('incremental_lookback_days') }} day
            from {{ this }} as loaded
            where loaded.rejection_reason is null
        )
        or {{ parse_timestamp('occurred_at', 'web_events') }} is null
    {% endif %}
),

typed as (
    select
        event_id,
        anonymous_id,
        user_id,
        lower(trim(event_name)) as event_name,
        page_path,
        nullif(lower(trim(utm_source)), '') as utm_source,
        nullif(lower(trim(utm_medium)), '') as utm_medium,
        nullif(trim(utm_campaign), '') as utm_campaign,
        nullif(trim(click_id), '') as click_id,
        lower(trim(device)) as device,
        upper(trim(country)) as country_code,
        {{ parse_timestamp('occurred_at', 'web_events') }} as occurred_at,
        coalesce(
            {{ erased_problem('anonymous_id', 'anonymous_id') }},
            {{ erased_problem('contact_id', 'user_id') }},
            {{ key_problem('event_id', 'occurred_at') }},
            case when anonymous_id is null then 'missing_anonymous_id' end,
            {{ timestamp_problem('occurred_at', 'web_events') }},
            {{ accepted_problem('lower(trim(event_name))',
                                ['page_view', 'product_view', 'add_to_cart', 'begin_checkout',
                                 'purchase', 'form_submit', 'pricing_view'],
                                'unknown_event_name') }}
        ) as rejection_reason
    from source
),

-- This table is stored (incremental): an erased person's events keep no identifier.
final as (
    select
        * replace (
            case when rejection_reason = 'erased' then null else anonymous_id end as anonymous_id,
            case when rejection_reason = 'erased' then null else user_id end as user_id
        )
    from typed
)

select * from final
