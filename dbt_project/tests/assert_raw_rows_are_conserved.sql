-- Row conservation: for every raw table, raw rows = accepted rows + rejected rows.
-- Returns the tables where the books do not balance.
{% set tables = raw_staging_tables() %}
with

counts as (
    {% for source_name, table, _, staged, _ in tables %}
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
