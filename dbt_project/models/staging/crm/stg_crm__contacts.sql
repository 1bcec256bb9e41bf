-- A table, not a view: most models and the feature chunks read it, and each read of the view
-- re-parsed the raw contacts and re-hashed a million emails at 1M customers. It holds no PII.
{{ config(materialized='table') }}
-- One row per accepted CRM contact (the `customer` entity), without PII: people are joined by
-- `email_key` (sha256 of the normalised email); names and addresses live in stg_crm__contact_pii.
with

contacts as (
    select * from {{ ref('base_crm__contacts') }}
    where rejection_reason is null
),

final as (
    select
        -- ids
        contact_id,
        account_id,
        case
            when quality_flag = 'malformed_email' then null
            else {{ email_key('email_raw') }}
        end as email_key,
        -- strings
        job_title,
        country_code,
        region,
        lifecycle_stage,
        quality_flag,
        -- booleans
        account_id is not null as is_b2b,
        coalesce(quality_flag, '') <> 'malformed_email' and email_normalized is not null
            as has_valid_email,
        -- timestamps
        created_at,
        updated_at
    from contacts
)

select * from final
