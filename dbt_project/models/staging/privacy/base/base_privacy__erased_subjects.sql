-- Every identifier of an erased person, resolved against the raw exports: a request names a
-- customer id or an email (as SHA-256); the person is every contact with that id or email, every
-- email of those contacts, every lead with one of those emails or contacts, and every device
-- identified as one of them. Resolved from raw sources (not staging) because every base model
-- reads this to reject the person's rows. While no request exists the raw scans stop at the
-- `exists` guard, so the many reads of this view cost nothing in the usual build (without it,
-- hashing every email cost about 2 s per read at 1M customers).
with

requests as (
    select
        subject_type,
        lower(subject_sha256) as subject_sha256
    from {{ source('privacy', 'erasure_requests') }}
),

contacts as (
    select
        contact_id,
        {{ email_key('email') }} as email_key
    from {{ source('crm', 'crm_contacts') }}
    where
        contact_id is not null
        and exists (select 1 from requests)
),

leads as (
    select
        lead_id,
        contact_id,
        {{ email_key('email') }} as email_key
    from {{ source('crm', 'crm_leads') }}
    where
        lead_id is not null
        and exists (select 1 from requests)
),

identifies as (
    select
        anonymous_id,
        user_id,
        {{ email_key('email') }} as email_key
    from {{ source('web', 'web_identifies') }}
    where
        anonymous_id is not null
        and exists (select 1 from requests)
),

requested_emails as (
    select subject_sha256 as email_key from requests
    where subject_type = 'email'
),

erased_contacts as (
    select distinct contacts.contact_id from contacts
    where
        sha256(contacts.contact_id) in (
            select requests.subject_sha256 from requests
            where requests.subject_type = 'customer_id'
        )
        or contacts.email_key in (select requested_emails.email_key from requested_emails)
),

erased_emails as (
    select requested_emails.email_key from requested_emails
    union
    select contacts.email_key from contacts
    where
        contacts.email_key is not null
        and contacts.contact_id in (select erased_contacts.contact_id from erased_contacts)
),

erased_leads as (
    select distinct leads.lead_id from leads
    where
        leads.email_key in (select erased_emails.email_key from erased_emails)
        or leads.contact_id in (select erased_contacts.contact_id from erased_contacts)
),

erased_devices as (
    select distinct identifies.anonymous_id from identifies
    where
        identifies.email_key in (select erased_emails.email_key from erased_emails)
        or identifies.user_id in (select erased_contacts.contact_id from erased_contacts)
),

final as (
    select
        'contact_id' as subject_type,
        contact_id as subject_id
    from erased_contacts
    union all
    select
        'email_key' as subject_type,
        email_key as subject_id
    from erased_emails
    union all
    select
        'lead_id' as subject_type,
        lead_id as subject_id
    from erased_leads
    union all
    select
        'anonymous_id' as subject_type,
        anonymous_id as subject_id
    from erased_devices
)

select * from final
