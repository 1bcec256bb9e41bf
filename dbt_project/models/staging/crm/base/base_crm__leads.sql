-- Typed leads with their rejection reason. The email stays raw here; stg_crm__leads carries
-- only its non-PII join key, stg_crm__lead_pii the address itself.
with

source as (
    select * from {{ source('crm', 'crm_leads') }}
),

typed as (
    select
        lead_id,
        contact_id,
        email as email_raw,
        {{ normalize_email('email') }} as email_normalized,
        lower(trim(lead_source)) as lead_source,
        company_name,
        nullif(trim(job_title), '') as job_title,
        lower(trim(industry)) as industry,
        try_cast(employee_count as bigint) as employee_count,
        upper(trim(country)) as country_code,
        lower(trim(status)) as status,
        {{ parse_timestamp('created_at', 'crm_leads') }} as created_at,
        {{ parse_timestamp('converted_at', 'crm_leads') }} as converted_at,
        opportunity_id,
        coalesce(
            {{ erased_problem('lead_id', 'lead_id') }},
            {{ key_problem('lead_id', 'created_at') }},
            {{ timestamp_problem('created_at', 'crm_leads') }},
            {{ timestamp_problem('converted_at', 'crm_leads', required=false) }},
            {{ value_problem('employee_count', 'bigint', required=false) }}
        ) as rejection_reason
    from source
)

{{ select_without_erased_values('typed') }}
