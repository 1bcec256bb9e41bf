-- One row per accepted ad click with a click id (gclid / fbclid / li_fat_id).
select
    click_id,
    platform,
    campaign_id,
    clicked_at
from {{ ref('base_ads__clicks') }}
where rejection_reason is null
