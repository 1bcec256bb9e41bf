-- One row per accepted web event (deduplicated, UTC, not in the future).
select
    -- ids
    event_id,
    anonymous_id,
    user_id,
    -- strings
    event_name,
    page_path,
    utm_source,
    utm_medium,
    utm_campaign,
    click_id,
    device,
    country_code,
    -- timestamps
    occurred_at,
    built_at
from {{ ref('base_web__events') }}
where rejection_reason is null
