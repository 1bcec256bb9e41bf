-- Row conservation: for every raw table, raw rows = accepted rows + rejected rows.
-- Returns the tables where the books do not balance.
{% set tables = [
    ('crm', 'crm_accounts', 'stg_crm__accounts'),
    ('crm', 'crm_contacts', 'stg_crm__contacts'),
    ('crm', 'crm_consent_events', 'stg_crm__consent_events'),
    ('crm', 'crm_leads', 'stg_crm__leads'),
    ('crm', 'crm_opportunities', 'stg_crm__opportunities'),
    ('crm', 'crm_orders', 'stg_crm__orders'),
    ('web', 'web_events', 'stg_web__events'),
    ('web', 'web_identifies', 'stg_web__identifies'),
    ('ads', 'ad_campaigns', 'stg_ads__campaigns'),
    ('ads', 'ad_daily_performance', 'stg_ads__daily_performance'),
    ('ads', 'ad_clicks', 'stg_ads__clicks'),
] %}
with

counts as (
    {% for source_name, table, staged in tables %}
        select
            '{{ table }}' as source_table,
            (select count(*) from {{ source(source_name, table) }}) as raw_rows,
            (select count(*) from {{ ref(staged) }}) as accepted_rows,
            (
                select count(*) from {{ ref('stg_quality__rejected_rows') }}
                where source_table = '{{ table }}' and disposition = 'rejected'
            ) as rejected_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from counts
where raw_rows <> accepted_rows + rejected_rows
