-- One row per marketing touch: a session that arrived from an ad click or a UTM-tagged link,
-- with its channel, campaign and attributed cost (the campaign's cost per click that day).
-- Known customers carry their id and the time the touch became attributable to them.
with

sessions as (
    select * from {{ ref('int_web_sessions') }}
    where channel not in ('direct', 'referral')
),

links as (
    select * from {{ ref('int_anonymous_ids_linked_to_customers') }}
),

clicks as (
    select
        click_id,
        campaign_id
    from {{ ref('stg_ads__clicks') }}
),

campaigns as (
    select
        campaign_id,
        platform
    from {{ ref('stg_ads__campaigns') }}
),

daily_cost as (
    select
        campaign_id,
        report_date,
        cost_per_click_usd
    from {{ ref('stg_ads__daily_performance') }}
),

final as (
    select
        sessions.session_id as touch_id,
        links.customer_id,
        sessions.anonymous_id,
        sessions.channel,
        campaigns.platform,
        coalesce(clicks.campaign_id, campaigns_by_utm.campaign_id) as campaign_id,
        sessions.utm_campaign,
        sessions.channel in ('paid_search', 'paid_social') as is_paid,
        sessions.channel = 'email' as is_email,
        case
            when sessions.channel in ('paid_search', 'paid_social')
                then coalesce(daily_cost.cost_per_click_usd, 0)
            else 0
        end as cost_usd,
        sessions.started_at as touched_at,
        greatest(sessions.started_at, links.linked_at) as available_at
    from sessions
    left join clicks
        on sessions.click_id = clicks.click_id
    left join campaigns as campaigns_by_utm
        on sessions.utm_campaign = campaigns_by_utm.campaign_id
    left join campaigns
        on coalesce(clicks.campaign_id, campaigns_by_utm.campaign_id) = campaigns.campaign_id
    left join daily_cost
        on
            coalesce(clicks.campaign_id, campaigns_by_utm.campaign_id) = daily_cost.campaign_id
            and cast(sessions.started_at as date) = daily_cost.report_date
    left join links
        on sessions.anonymous_id = links.anonymous_id
)

select * from final
