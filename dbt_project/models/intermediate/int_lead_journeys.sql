-- One row per lead: who it is (firmographics from its account when known), where it came
-- from, and how it ended (opportunity created, won or lost, and when).
with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

contacts as (
    select
        contact_id,
        account_id
    from {{ ref('stg_crm__contacts') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

final as (
    select
        leads.lead_id,
        leads.contact_id,
        contacts.account_id,
        leads.lead_source,
        leads.title_seniority,
        coalesce(accounts.industry, leads.industry, 'unknown') as industry,
        coalesce(accounts.employee_count, leads.employee_count) as employee_count,
        coalesce(accounts.country_code, leads.country_code) as country_code,
        leads.contact_id is not null as is_existing_contact,
        opportunities.opportunity_id,
        coalesce(opportunities.is_won, false) as is_won,
        leads.created_at,
        opportunities.created_at as opportunity_created_at,
        case when opportunities.is_won then opportunities.closed_at end as won_at,
        case when not opportunities.is_won then opportunities.closed_at end as lost_at
    from leads
    left join contacts
        on leads.contact_id = contacts.contact_id
    left join accounts
        on contacts.account_id = accounts.account_id
    left join opportunities
        on leads.opportunity_id = opportunities.opportunity_id
)

select * from final
