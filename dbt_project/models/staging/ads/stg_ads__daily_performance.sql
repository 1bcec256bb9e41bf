-- One row per campaign per day, spend in USD and cost per click (null on days without clicks).
select
    report_date,
    platform,
    campaign_id,
    impressions,
    clicks,
    spend_usd,
    spend_usd / nullif(clicks, 0) as cost_per_click_usd,
    platform_conversions
from {{ ref('base_ads__daily_performance') }}
where rejection_reason is null
