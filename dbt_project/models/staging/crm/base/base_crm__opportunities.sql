-- Typed opportunities with their rejection reason.
with

source as (
    select * from {{ source('crm', 'crm_opportunities') }}
),

rates as (
    select
        currency,
        usd_per_unit
    from {{ ref('currency_rates') }}
),

typed as (
    select
        source.opportunity_id,
        source.account_id,
        source.lead_id,
        lower(trim(source.stage)) as stage,
        try_cast(source.amount as double) * rates.usd_per_unit as amount_usd,
        {{ parse_timestamp('source.created_at', 'crm_opportunities') }} as created_at,
        {{ parse_timestamp('source.closed_at', 'crm_opportunities') }} as closed_at,
        try_cast(source.is_won as boolean) as is_won,
        coalesce(
            {{ erased_problem('lead_id', 'source.lead_id') }},
            {{ key_problem('source.opportunity_id', 'source.created_at') }},
            {{ timestamp_problem('source.created_at', 'crm_opportunities') }},
            {{ timestamp_problem('source.closed_at', 'crm_opportunities', required=false) }},
            {{ value_problem('source.is_won', 'boolean') }},
            case when rates.currency is null then 'unknown_currency' end
        ) as rejection_reason
    from source
    left join rates
        on upper(trim(source.currency)) = rates.currency
)

{{ select_without_erased_values('typed', ['opportunity_id']) }}
