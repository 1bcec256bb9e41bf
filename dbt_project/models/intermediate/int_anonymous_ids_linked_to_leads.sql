-- One row per (anonymous id, lead): a lead's browsers, known from identify calls that carry the
-- lead's email or its contact's user id. A link cannot be known before the lead exists.
with

leads as (
    select
        lead_id,
        contact_id,
        email_key,
        created_at
    from {{ ref('stg_crm__leads') }}
),

identifies as (
    select
        anonymous_id,
        user_id,
        email_key,
        occurred_at
    from {{ ref('stg_web__identifies') }}
),

candidates as (
    select
        identifies.anonymous_id,
        leads.lead_id,
        greatest(identifies.occurred_at, leads.created_at) as linked_at
    from identifies
    inner join leads on identifies.email_key = leads.email_key
    union all
    select
        identifies.anonymous_id,
        leads.lead_id,
        greatest(identifies.occurred_at, leads.created_at) as linked_at
    from identifies
    inner join leads on identifies.user_id = leads.contact_id
),

final as (
    select
        anonymous_id,
        lead_id,
        min(linked_at) as linked_at
    from candidates
    group by anonymous_id, lead_id
)

select * from final
