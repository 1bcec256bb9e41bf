-- Typed consent changes with their rejection reason (consent logs often arrive as CSV).
with

source as (
    select * from {{ source('crm', 'crm_consent_events') }}
),

contacts as (
    select contact_id from {{ ref('base_crm__contacts') }}
    where rejection_reason is null
),

typed as (
    select
        consent_event_id,
        contact_id,
        lower(trim(status)) as status,
        lower(trim(source)) as consent_source,
        {{ parse_timestamp('occurred_at', 'crm_consent_events') }} as occurred_at,
        coalesce(
            {{ erased_problem('contact_id', 'contact_id') }},
            {{ key_problem('consent_event_id', 'occurred_at') }},
            {{ timestamp_problem('occurred_at', 'crm_consent_events') }},
            {{ accepted_problem(
                'lower(trim(status))', ['granted', 'withdrawn'], 'unknown_status'
            ) }},
            case
                when contact_id not in (select contacts.contact_id from contacts)
                    then 'unknown_contact'
            end
        ) as rejection_reason
    from source
)

{{ select_without_erased_values('typed', ['consent_event_id']) }}
