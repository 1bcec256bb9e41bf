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

source as not materialized (
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

-- Duplicate ids are rare, so they are found on the id alone and only their rows are ranked:
-- ranking every event sorted all 69M wide rows at 1M customers and spilled to disk.
duplicate_ids as (
    select event_id from source
    where event_id is not null
    group by event_id
    having count(*) > 1
),

ranked as (
    select
        *,
        1 as key_rank
    from source
    where event_id is null or event_id not in (select duplicate_ids.event_id from duplicate_ids)
    union all
    select
        *,
        row_number() over (partition by event_id order by occurred_at) as key_rank
    from source
    where event_id in (select duplicate_ids.event_id from duplicate_ids)
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
            {{ key_problem('event_id', rank='key_rank') }},
            case when anonymous_id is null then 'missing_anonymous_id' end,
            {{ timestamp_problem('occurred_at', 'web_events') }},
            {{ accepted_problem('lower(trim(event_name))',
                                ['page_view', 'product_view', 'add_to_cart', 'begin_checkout',
                                 'purchase', 'form_submit', 'pricing_view'],
                                'unknown_event_name') }}
        ) as rejection_reason
    from ranked
),

-- This table is stored (incremental): an erased person's events keep no identifier.
-- `built_at` is the run that wrote the row: data tests check rows no passing build has checked
-- (macros/tested_rows.sql).
final as (
    select
        * replace (
            case when rejection_reason = 'erased' then null else anonymous_id end as anonymous_id,
            case when rejection_reason = 'erased' then null else user_id end as user_id
        ),
        {{ run_started_at_utc() }} as built_at
    from typed
)

select * from final
