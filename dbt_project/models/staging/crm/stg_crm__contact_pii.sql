-- One row per accepted contact with the personal data needed for activation, normalised for
-- matching: email trimmed and lower-cased (null when malformed), phone in E.164.
-- Only customer_profile reads this model.
with

contacts as (
    select * from {{ ref('base_crm__contacts') }}
    where rejection_reason is null
),

countries as (
    select * from {{ ref('countries') }}
),

final as (
    select
        contacts.contact_id,
        case
            when contacts.quality_flag = 'malformed_email' then null
            else contacts.email_normalized
        end as email_normalized,
        {{ normalize_phone('contacts.phone_raw', 'countries.calling_code') }} as phone_e164,
        nullif(trim(contacts.first_name), '') as first_name,
        nullif(trim(contacts.last_name), '') as last_name,
        nullif(trim(contacts.city), '') as city,
        nullif(trim(contacts.region), '') as region,
        nullif(trim(contacts.postal_code), '') as postal_code,
        contacts.country_code
    from contacts
    left join countries
        on contacts.country_code = countries.country_code
)

select * from final
