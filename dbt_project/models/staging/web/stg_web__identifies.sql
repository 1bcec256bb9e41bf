-- One row per accepted identify call; the email becomes a non-PII join key.
select
    identify_id,
    anonymous_id,
    user_id,
    {{ email_key('email_raw') }} as email_key,
    occurred_at
from {{ ref('base_web__identifies') }}
where rejection_reason is null
