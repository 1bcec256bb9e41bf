-- One row per accepted ad campaign, with the channel its clicks belong to.
select
    campaign_id,
    platform,
    campaign_name,
    objective,
    case platform when 'google_ads' then 'paid_search' else 'paid_social' end as channel,
    started_on,
    ended_on
from {{ ref('base_ads__campaigns') }}
where rejection_reason is null
