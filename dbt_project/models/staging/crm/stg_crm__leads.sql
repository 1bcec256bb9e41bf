-- One row per accepted lead, without PII (joined by email_key), with its title seniority band.
select
    -- ids
    lead_id,
    contact_id,
    opportunity_id,
    {{ email_key('email_raw') }} as email_key,
    -- strings
    lead_source,
    company_name,
    job_title,
    {{ title_seniority('job_title') }} as title_seniority,
    industry,
    country_code,
    status,
    -- numerics
    employee_count,
    -- timestamps
    created_at,
    converted_at
from {{ ref('base_crm__leads') }}
where rejection_reason is null
