-- The identity graph: one row per anonymous id (cookie/device) that became linked to a CRM
-- contact, with the time the link became known. First link wins: a later login of another
-- person on a shared device does not re-attribute history. Links come from identify calls
-- (user id, or an email that matches a contact) and from the first event carrying a user id.
with

contacts as (
    select
        contact_id,
        email_key,
        created_at
    from {{ ref('stg_crm__contacts') }}
),

identifies as (
    select
        anonymous_id,
        user_id,
        email_key,
        occurred_at
    from {{ ref('stg_web__identifies') }}
),

events_with_user as (
    select
        anonymous_id,
        user_id,
        first_seen_at as occurred_at
    from {{ ref('int_anonymous_ids_seen_with_user_ids') }}
),

by_user_id as (
    select
        identifies.anonymous_id,
        contacts.contact_id,
        greatest(identifies.occurred_at, contacts.created_at) as linked_at,
        'identify_user_id' as link_source
    from identifies
    inner join contacts on identifies.user_id = contacts.contact_id
),

by_email as (
    select
        identifies.anonymous_id,
        contacts.contact_id,
        greatest(identifies.occurred_at, contacts.created_at) as linked_at,
        'identify_email' as link_source
    from identifies
    inner join contacts on identifies.email_key = contacts.email_key
    where identifies.user_id is null
),

by_event as (
    select
        events_with_user.anonymous_id,
        contacts.contact_id,
        greatest(events_with_user.occurred_at, contacts.created_at) as linked_at,
        'event_user_id' as link_source
    from events_with_user
    inner join contacts on events_with_user.user_id = contacts.contact_id
),

candidates as (
    select * from by_user_id
    union all
    select * from by_email
    union all
    select * from by_event
),

final as (
    select
        anonymous_id,
        arg_min(contact_id, (linked_at, contact_id)) as customer_id,
        min(linked_at) as linked_at,
        arg_min(link_source, (linked_at, contact_id)) as link_source
    from candidates
    group by anonymous_id
)

select * from final
