-- Typed CRM contacts with the reason each row breaks the contract (null when it does not).
-- Duplicate ids keep the most recently updated copy. A malformed email does not reject the
-- contact (their orders still count): the email is nulled and the row flagged.
with

source as (
    select * from {{ source('crm', 'crm_contacts') }}
),

countries as (
    select country_code from {{ ref('countries') }}
),

typed as (
    select
        contact_id,
        account_id,
        email as email_raw,
        {{ normalize_email('email') }} as email_normalized,
        phone as phone_raw,
        first_name,
        last_name,
        nullif(trim(job_title), '') as job_title,
        city,
        region,
        postal_code,
        upper(trim(country)) as country_code,
        lower(trim(lifecycle_stage)) as lifecycle_stage,
        {{ parse_timestamp('created_at', 'crm_contacts') }} as created_at,
        {{ parse_timestamp('updated_at', 'crm_contacts') }} as updated_at,
        coalesce(
            {{ erased_problem('contact_id', 'contact_id') }},
            {{ key_problem('contact_id', 'updated_at desc') }},
            {{ timestamp_problem('created_at', 'crm_contacts') }},
            {{ timestamp_problem('updated_at', 'crm_contacts') }},
            case
                when upper(trim(country)) not in (select countries.country_code from countries)
                    then 'unknown_country'
            end
        ) as rejection_reason
    from source
),

flagged as (
    select
        *,
        case
            when email_normalized is not null and not {{ is_valid_email('email_normalized') }}
                then 'malformed_email'
            when
                rejection_reason is null and email_normalized is not null
                and first_value(contact_id) over (
                    partition by email_normalized, rejection_reason is null
                    order by created_at, contact_id
                ) <> contact_id
                then 'duplicate_person'
        end as quality_flag
    from typed
)

{{ select_without_erased_values('flagged') }}
