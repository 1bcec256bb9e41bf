-- One row per accepted opportunity (its current state).
select
    opportunity_id,
    account_id,
    lead_id,
    stage,
    amount_usd,
    coalesce(is_won, false) as is_won,
    created_at,
    closed_at
from {{ ref('base_crm__opportunities') }}
where rejection_reason is null
