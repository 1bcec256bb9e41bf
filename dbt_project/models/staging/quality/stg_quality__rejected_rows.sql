-- One row per raw row that staging rejected (disposition 'rejected': not in any stg_ model) or
-- repaired (disposition 'value_nulled' / 'flagged': kept, with the bad value nulled or marked).
-- Raw rows = accepted + rejected, per table: tests/assert_raw_rows_are_conserved.sql.
{% set tables = raw_staging_tables() %}
with

rejected as (
    {% for _, source_table, model, _, key in tables %}
        select
            '{{ source_table }}' as source_table,
            -- an erased person's rows are counted, never named
            case when rejection_reason <> 'erased' then cast({{ key }} as varchar) end
                as source_key,
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
