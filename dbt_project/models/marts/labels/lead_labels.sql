-- One row per open lead per snapshot time (the same spine as lead_features): was the lead's
-- opportunity won within `lead_label_days` after the snapshot? `is_label_complete` is false
-- while the window has not closed.
with

calendar as (
    select snapshot_at from {{ ref('int_snapshot_calendar') }}
),

data_end as (
    select max(snapshot_at) as data_end_at from calendar
),

journeys as (
    select * from {{ ref('int_lead_journeys') }}
),

final as (
    select
        journeys.lead_id,
        calendar.snapshot_at,
        calendar.snapshot_at + interval {{ var('lead_label_days') }} day as label_window_ends_at,
        coalesce(
            journeys.won_at > calendar.snapshot_at
            and journeys.won_at <= calendar.snapshot_at + interval {{ var('lead_label_days') }} day,
            false
        ) as converted_in_window,
        {{ var('lead_label_days') }} as label_window_days,
        calendar.snapshot_at + interval {{ var('lead_label_days') }} day
        <= (select data_end.data_end_at from data_end) as is_label_complete
    from journeys
    cross join calendar
    where
        journeys.created_at < calendar.snapshot_at
        and (journeys.won_at is null or journeys.won_at > calendar.snapshot_at)
        and (journeys.lost_at is null or journeys.lost_at > calendar.snapshot_at)
)

select * from final
