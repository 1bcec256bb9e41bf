-- Typed identify calls with their rejection reason.
with

source as (
    select * from {{ source('web', 'web_identifies') }}
),

typed as (
    select
        identify_id,
        anonymous_id,
        user_id,
        email as email_raw,
        {{ parse_timestamp('occurred_at', 'web_identifies') }} as occurred_at,
        coalesce(
            {{ erased_problem('anonymous_id', 'anonymous_id') }},
            {{ erased_problem('contact_id', 'user_id') }},
            {{ key_problem('identify_id', 'occurred_at') }},
            case when anonymous_id is null then 'missing_anonymous_id' end,
            {{ timestamp_problem('occurred_at', 'web_identifies') }}
        ) as rejection_reason
    from source
)

{{ select_without_erased_values('typed', ['identify_id']) }}
