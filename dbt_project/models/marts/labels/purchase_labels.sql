{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='snapshot_at',
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where snapshot_at not in (select snapshot_at from {{ ref('int_snapshot_calendar') }}){% endif %}"
    )
}}
-- One row per customer per snapshot time (the same spine as customer_features): did the
-- customer place an order (any status: the decision to buy is what we predict) in the
-- `purchase_label_days` after the snapshot (the horizon, kept in label_window_days)? Labels
-- only look forward; `is_label_complete` is false while the window has not closed yet, and
-- such rows must not be trained on.
--
-- Each order marks the few snapshots whose window holds it (a join with the calendar, which
-- has a row per week), and the spine looks those up in a hash join, so the 37M-row spine at 1M
-- customers is never sorted. An ASOF join of the spine with the orders took 54 s there, this
-- 12 s. Window ends are computed once per snapshot, on the calendar.
--
-- Incremental: snapshots are replaced whole (delete+insert on snapshot_at). Recomputed are the
-- new snapshots and those whose label window ends after the newest snapshot built minus the
-- lookback: every incomplete label, and orders that arrive up to `incremental_lookback_days`
-- late. Older labels have closed windows and never change. The pre-hook drops snapshots the
-- calendar no longer has (the previous "latest day").
with

calendar as (
    select
        snapshot_at,
        snapshot_at + interval {{ var('purchase_label_days') }} day as label_window_ends_at
    from {{ ref('int_snapshot_calendar') }}
),

data_end as (
    select max(snapshot_at) as data_end_at from calendar
),

windows as (
    select
        calendar.snapshot_at,
        calendar.label_window_ends_at,
        calendar.label_window_ends_at <= data_end.data_end_at as is_label_complete
    from calendar
    cross join data_end
    {% if is_incremental() %}
        where calendar.label_window_ends_at > (
            select
                coalesce(max(built.snapshot_at), {{ before_any_data() }})
                - interval {{ var('incremental_lookback_days') }} day
            from {{ this }} as built
        )
    {% endif %}
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

purchases_in_window as (
    select distinct
        orders.customer_id,
        windows.snapshot_at
    from orders
    inner join windows
        on
            orders.ordered_at >= windows.snapshot_at
            and orders.ordered_at < windows.label_window_ends_at
),

spine as (
    select
        contacts.contact_id as customer_id,
        windows.snapshot_at,
        windows.label_window_ends_at,
        windows.is_label_complete
    from contacts
    cross join windows
    where contacts.created_at < windows.snapshot_at
),

final as (
    select
        spine.customer_id,
        spine.snapshot_at,
        spine.label_window_ends_at,
        purchases_in_window.customer_id is not null as purchased_in_window,
        {{ var('purchase_label_days') }} as label_window_days,
        spine.is_label_complete,
        {{ run_started_at_utc() }} as created_at
    from spine
    left join purchases_in_window
        on
            spine.customer_id = purchases_in_window.customer_id
            and spine.snapshot_at = purchases_in_window.snapshot_at
)

select * from final
