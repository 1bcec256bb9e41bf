{#- Every raw table with its staging models and key: the one list the quarantine model and the
    row-conservation test both read. (source, table, base model, stg model, key expression) -#}
{% macro raw_staging_tables() %}
    {% do return([
        ('crm', 'crm_accounts', 'base_crm__accounts', 'stg_crm__accounts', 'account_id'),
        ('crm', 'crm_contacts', 'base_crm__contacts', 'stg_crm__contacts', 'contact_id'),
        ('crm', 'crm_consent_events', 'base_crm__consent_events', 'stg_crm__consent_events',
            'consent_event_id'),
        ('crm', 'crm_leads', 'base_crm__leads', 'stg_crm__leads', 'lead_id'),
        ('crm', 'crm_opportunities', 'base_crm__opportunities', 'stg_crm__opportunities',
            'opportunity_id'),
        ('crm', 'crm_orders', 'base_crm__orders', 'stg_crm__orders', 'order_id'),
        ('web', 'web_events', 'base_web__events', 'stg_web__events', 'event_id'),
        ('web', 'web_identifies', 'base_web__identifies', 'stg_web__identifies', 'identify_id'),
        ('ads', 'ad_campaigns', 'base_ads__campaigns', 'stg_ads__campaigns', 'campaign_id'),
        ('ads', 'ad_daily_performance', 'base_ads__daily_performance',
            'stg_ads__daily_performance', "campaign_id || '/' || cast(report_date as varchar)"),
        ('ads', 'ad_clicks', 'base_ads__clicks', 'stg_ads__clicks', 'click_id'),
    ]) %}
{% endmacro %}
