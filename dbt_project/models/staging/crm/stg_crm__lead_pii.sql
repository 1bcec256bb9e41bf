-- One row per accepted lead with its normalised email (for CRM write-back and LinkedIn lists).
select
    lead_id,
    case when {{ is_valid_email('email_normalized') }} then email_normalized end
        as email_normalized
from {{ ref('base_crm__leads') }}
where rejection_reason is null
