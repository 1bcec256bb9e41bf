-- One row per feature snapshot time (var snapshot_cadence: 'weekly', the default, or 'daily'):
-- every Monday 00:00 UTC from the first day of data (or
-- var('snapshot_start')) to the latest day, plus the latest day itself: the midnight after the
-- newest web event or order (or var('snapshot_end')), but never after the last midnight at or
-- before the build's reference time. A snapshot summarises the complete days before it, so on
-- data that runs up to "now" the latest snapshot is today's midnight and today's events wait
-- for tomorrow's. Both ends are anchored in the data, not in "today minus N days", so a new day
-- of data adds snapshots and never moves or drops old ones: that is what lets customer_features
-- be incremental.
with

data_end as (
    {% if var('snapshot_end') %}
        select cast('{{ var("snapshot_end") }}' as date) as end_day
    {% else %}
        select cast(max(occurred_at) as date) + 1 as end_day
        from (
            select max(occurred_at) as occurred_at from {{ ref('stg_web__events') }}
            union all
            select max(ordered_at) from {{ ref('stg_crm__orders') }}
        )
    {% endif %}
),

latest as (
    select least(data_end.end_day, {{ last_complete_day_end() }}) as end_day
    from data_end
),

earliest as (
    {% if var('snapshot_start') %}
        select cast('{{ var("snapshot_start") }}' as date) as start_day
    {% else %}
        select cast(min(occurred_at) as date) + 1 as start_day
        from (
            select min(occurred_at) as occurred_at from {{ ref('stg_web__events') }}
            union all
            select min(ordered_at) from {{ ref('stg_crm__orders') }}
        )
    {% endif %}
),

days as (
    select
        cast(unnest(generate_series(earliest.start_day, latest.end_day, interval 1 day)) as date)
            as snapshot_day,
        latest.end_day
    from latest
    cross join earliest
),

final as (
    select
        cast(snapshot_day as timestamptz) as snapshot_at,
        snapshot_day = end_day as is_latest
    from days
    where {{ is_snapshot_day('snapshot_day', 'end_day') }}
)

select * from final
