-- One row per raw row that staging rejected (disposition 'rejected': not in any stg_ model) or
-- repaired (disposition 'value_nulled' / 'flagged': kept, with the bad value nulled or marked).
-- Raw rows = accepted + rejected, per table: tests/assert_raw_rows_are_conserved.sql.
{% set tables = [
    ('crm_accounts', 'base_crm__accounts', 'account_id'),
    ('crm_contacts', 'base_crm__contacts', 'contact_id'),
    ('crm_consent_events', 'base_crm__consent_events', 'consent_event_id'),
    ('crm_leads', 'base_crm__leads', 'lead_id'),
    ('crm_opportunities', 'base_crm__opportunities', 'opportunity_id'),
    ('crm_orders', 'base_crm__orders', 'order_id'),
    ('web_events', 'base_web__events', 'event_id'),
    ('web_identifies', 'base_web__identifies', 'identify_id'),
    ('ad_campaigns', 'base_ads__campaigns', 'campaign_id'),
    ('ad_daily_performance', 'base_ads__daily_performance',
        "campaign_id || '/' || cast(report_date as varchar)"),
    ('ad_clicks', 'base_ads__clicks', 'click_id'),
] %}
with

rejected as (
    {% for source_table, model, key in tables %}
        select
            '{{ source_table }}' as source_table,
            cast({{ key }} as varchar) as source_key,
            rejection_reason,
            'rejected' as disposition
        from {{ ref(model) }}
        where rejection_reason is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

repaired as (
    select
        'crm_contacts' as source_table,
        contact_id as source_key,
        quality_flag as rejection_reason,
        case quality_flag when 'malformed_email' then 'value_nulled' else 'flagged' end
            as disposition
    from {{ ref('base_crm__contacts') }}
    where rejection_reason is null and quality_flag is not null
),

final as (
    select * from rejected
    union all
    select * from repaired
)

select * from final
