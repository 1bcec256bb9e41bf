-- One row per accepted B2B account, with its size band.
select
    account_id,
    account_name,
    industry,
    country_code,
    employee_count,
    case
        when employee_count is null then 'unknown'
        when employee_count < 10 then '1-9'
        when employee_count < 50 then '10-49'
        when employee_count < 250 then '50-249'
        when employee_count < 1000 then '250-999'
        else '1000+'
    end as size_band,
    created_at
from {{ ref('base_crm__accounts') }}
where rejection_reason is null
