-- One row per accepted B2B account, with its size band.
select
    account_id,
    account_name,
    industry,
    country_code,
    employee_count,
    {{ employee_size_band('employee_count') }} as size_band,
    created_at
from {{ ref('base_crm__accounts') }}
where rejection_reason is null
