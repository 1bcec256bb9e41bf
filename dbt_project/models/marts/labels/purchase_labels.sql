-- One row per customer per snapshot time (the same spine as customer_features): did the
-- customer place an order (any status: the decision to buy is what we predict) in the
-- `purchase_label_days` after the snapshot? Labels only look forward; `is_label_complete`
-- is false while the window has not closed yet, and such rows must not be trained on.
with

calendar as (
    select snapshot_at from {{ ref('int_snapshot_calendar') }}
),

data_end as (
    select max(snapshot_at) as data_end_at from calendar
),

contacts as (
    select
        contact_id,
        created_at
    from {{ ref('stg_crm__contacts') }}
),

orders as (
    select
        customer_id,
        ordered_at
    from {{ ref('int_orders_net_of_refunds') }}
),

spine as (
    select
        contacts.contact_id as customer_id,
        calendar.snapshot_at
    from contacts
    cross join calendar
    where contacts.created_at < calendar.snapshot_at
),

next_orders as (
    -- The first order at or after each snapshot: one ASOF join instead of a range join of every
    -- snapshot with every order.
    select
        spine.customer_id,
        spine.snapshot_at,
        orders.ordered_at as next_order_at
    from spine
    asof left join orders
        on
            spine.customer_id = orders.customer_id
            and orders.ordered_at >= spine.snapshot_at
),

final as (
    select
        customer_id,
        snapshot_at,
        snapshot_at + interval {{ var('purchase_label_days') }} day as label_window_ends_at,
        coalesce(
            next_order_at < snapshot_at + interval {{ var('purchase_label_days') }} day, false
        ) as purchased_next_30d,
        snapshot_at + interval {{ var('purchase_label_days') }} day
        <= (select data_end.data_end_at from data_end) as is_label_complete
    from next_orders
)

select * from final
