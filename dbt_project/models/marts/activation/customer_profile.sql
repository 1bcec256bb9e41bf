-- One row per customer with what activation needs today: normalised PII ready for hashing,
-- current marketing consent (the latest consent event decides: granted, withdrawn, or no
-- record), and recency for filters.
-- The only mart that carries PII; exports hash it before anything leaves the machine.
with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

pii as (
    select * from {{ ref('stg_crm__contact_pii') }}
),

consent as (
    select
        contact_id,
        arg_max(is_granted, (occurred_at, consent_event_id)) as has_marketing_consent,
        max(occurred_at) as consent_updated_at
    from {{ ref('stg_crm__consent_events') }}
    group by contact_id
),

orders as (
    select
        customer_id,
        max(ordered_at) as last_order_at
    from {{ ref('int_orders_net_of_refunds') }}
    group by customer_id
),

-- From the daily activity (one row per customer and day, incremental) rather than from
-- every session stitched to its customer: at 1M customers that stitching was most of this
-- model's 6 s and ran again on every build.
visits as (
    select
        customer_id,
        max(last_visit_at) as last_visit_at
    from {{ ref('int_customer_activity_daily') }}
    where sessions > 0
    group by customer_id
),

final as (
    select
        -- ids
        contacts.contact_id as customer_id,
        contacts.account_id,
        contacts.email_key,
        -- personal data (normalised, not hashed)
        pii.email_normalized,
        pii.phone_e164,
        pii.first_name,
        pii.last_name,
        pii.city,
        pii.region,
        pii.postal_code,
        contacts.country_code,
        -- attributes
        -- the CRM's stage; exports without one get the stage their orders imply
        coalesce(
            contacts.lifecycle_stage,
            case when orders.last_order_at is not null then 'customer' else 'lead' end
        ) as lifecycle_stage,
        contacts.is_b2b,
        contacts.has_valid_email,
        coalesce(consent.has_marketing_consent, false) as has_marketing_consent,
        coalesce(not consent.has_marketing_consent, false) as has_opted_out_of_marketing,
        -- timestamps
        consent.consent_updated_at,
        orders.last_order_at,
        visits.last_visit_at,
        contacts.created_at,
        contacts.updated_at
    from contacts
    inner join pii
        on contacts.contact_id = pii.contact_id
    left join consent
        on contacts.contact_id = consent.contact_id
    left join orders
        on contacts.contact_id = orders.customer_id
    left join visits
        on contacts.contact_id = visits.customer_id
)

select * from final
