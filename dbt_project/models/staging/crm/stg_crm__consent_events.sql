-- A table, not a view: its data tests and the activation mart read it, and each read of the
-- view re-parsed the raw file and re-checked every contact.
{{ config(materialized='table') }}
-- One row per accepted marketing-consent change of a contact.
select
    consent_event_id,
    contact_id,
    status,
    consent_source,
    status = 'granted' as is_granted,
    occurred_at
from {{ ref('base_crm__consent_events') }}
where rejection_reason is null
