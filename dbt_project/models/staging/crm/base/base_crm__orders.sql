-- Typed orders with their rejection reason: null or repeated ids, unparseable or negative
-- amounts, currencies without a rate, orders of unknown contacts, timestamps in the future.
with

source as (
    select * from {{ source('crm', 'crm_orders') }}
),

contacts as (
    select contact_id from {{ ref('base_crm__contacts') }}
    where rejection_reason is null
),

rates as (
    select
        currency,
        usd_per_unit
    from {{ ref('currency_rates') }}
),

typed as (
    select
        source.order_id,
        source.contact_id,
        {{ parse_timestamp('source.ordered_at', 'crm_orders') }} as ordered_at,
        try_cast(source.amount as double) as amount,
        upper(trim(source.currency)) as currency,
        try_cast(source.amount as double) * rates.usd_per_unit as amount_usd,
        try_cast(source.item_count as bigint) as item_count,
        lower(trim(source.status)) as status,
        {{ parse_timestamp('source.refunded_at', 'crm_orders') }} as refunded_at,
        lower(trim(source.channel)) as channel,
        coalesce(
            {{ erased_problem('contact_id', 'source.contact_id') }},
            {{ key_problem('source.order_id', 'source.ordered_at') }},
            {{ timestamp_problem('source.ordered_at', 'crm_orders') }},
            {{ timestamp_problem('source.refunded_at', 'crm_orders', required=false) }},
            {{ value_problem('source.amount', 'double') }},
            case when try_cast(source.amount as double) < 0 then 'negative_amount' end,
            case when rates.currency is null then 'unknown_currency' end,
            {{ value_problem('source.item_count', 'bigint') }},
            {{ accepted_problem('lower(trim(source.status))',
                                ['completed', 'refunded', 'cancelled'], 'unknown_status') }},
            case
                when source.contact_id not in (select contacts.contact_id from contacts)
                    then 'unknown_customer'
            end
        ) as rejection_reason
    from source
    left join rates
        on upper(trim(source.currency)) = rates.currency
)

{{ select_without_erased_values('typed', ['order_id']) }}
