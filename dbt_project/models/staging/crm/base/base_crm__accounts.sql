-- Typed accounts with their rejection reason.
with

source as (
    select * from {{ source('crm', 'crm_accounts') }}
),

typed as (
    select
        account_id,
        account_name,
        lower(trim(industry)) as industry,
        try_cast(employee_count as bigint) as employee_count,
        upper(trim(country)) as country_code,
        {{ parse_timestamp('created_at', 'crm_accounts') }} as created_at,
        coalesce(
            {{ key_problem('account_id', 'created_at') }},
            {{ timestamp_problem('created_at', 'crm_accounts') }},
            {{ value_problem('employee_count', 'bigint') }}
        ) as rejection_reason
    from source
)

select * from typed
