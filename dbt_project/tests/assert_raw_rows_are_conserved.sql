-- Row conservation: for every raw table, raw rows = accepted rows + rejected rows.
-- Returns the tables where the books do not balance. The rejected rows are counted in one pass
-- over stg_quality__rejected_rows (a union of every base model), not once per table.
{% set tables = raw_staging_tables() %}
with

rejected as (
    select
        source_table,
        count(*) as rejected_rows
    from {{ ref('stg_quality__rejected_rows') }}
    where disposition = 'rejected'
    group by source_table
),

counts as (
    {% for source_name, table, _, staged, _ in tables %}
        select
            '{{ table }}' as source_table,
            (select count(*) from {{ source(source_name, table) }}) as raw_rows,
            (select count(*) from {{ ref(staged) }}) as accepted_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        counts.source_table,
        counts.raw_rows,
        counts.accepted_rows,
        coalesce(rejected.rejected_rows, 0) as rejected_rows
    from counts
    left join rejected
        on counts.source_table = rejected.source_table
)

select * from final
where raw_rows <> accepted_rows + rejected_rows
