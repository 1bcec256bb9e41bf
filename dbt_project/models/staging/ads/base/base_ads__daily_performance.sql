-- Typed daily ad reports with their rejection reason; spend converted to USD.
with

source as (
    select * from {{ source('ads', 'ad_daily_performance') }}
),

campaigns as (
    select campaign_id from {{ ref('base_ads__campaigns') }}
    where rejection_reason is null
),

rates as (
    select
        currency,
        usd_per_unit
    from {{ ref('currency_rates') }}
),

typed as (
    select
        try_cast(source.report_date as date) as report_date,
        lower(trim(source.platform)) as platform,
        source.campaign_id,
        try_cast(source.impressions as bigint) as impressions,
        try_cast(source.clicks as bigint) as clicks,
        try_cast(source.spend as double) * rates.usd_per_unit as spend_usd,
        try_cast(source.conversions as double) as platform_conversions,
        coalesce(
            {{ value_problem('source.report_date', 'date') }},
            case when row_number() over (
                partition by source.campaign_id, source.report_date order by source.spend desc
            ) > 1 then 'duplicate_key' end,
            {{ value_problem('source.clicks', 'bigint') }},
            {{ value_problem('source.spend', 'double') }},
            case
                when
                    try_cast(source.spend as double) < 0
                    or try_cast(source.clicks as bigint) < 0 then 'negative_value'
            end,
            case when rates.currency is null then 'unknown_currency' end,
            case
                when source.campaign_id not in (select campaigns.campaign_id from campaigns)
                    then 'unknown_campaign'
            end
        ) as rejection_reason
    from source
    left join rates
        on upper(trim(source.currency)) = rates.currency
)

select * from typed
