-- Typed ad campaigns with their rejection reason.
with

source as (
    select * from {{ source('ads', 'ad_campaigns') }}
),

typed as (
    select
        campaign_id,
        lower(trim(platform)) as platform,
        campaign_name,
        lower(trim(objective)) as objective,
        try_cast(started_on as date) as started_on,
        try_cast(ended_on as date) as ended_on,
        coalesce(
            {{ key_problem('campaign_id', 'started_on') }},
            {{ value_problem('started_on', 'date') }},
            {{ accepted_problem('lower(trim(platform))', ['google_ads', 'meta', 'linkedin'],
                                'unknown_platform') }}
        ) as rejection_reason
    from source
)

select * from typed
