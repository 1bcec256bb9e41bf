{#-
    The query of customer_features for one chunk of customers (`chunk` of `chunks`, split by a
    hash of the customer id). The model renders chunk 0 and its post-hook inserts the others,
    one statement each, inside the model's transaction: the window pass holds every row's window
    results in memory (about 20 KB per customer at 53 snapshots), so at 1M customers one pass
    needed 20 GB and spilled under the default 8 GB limit, taking twice as long. Features are
    per customer, so chunks never interact. See the model file for what the features mean.
-#}
{% macro customer_features_query(chunk, chunks, by_aggregation) %}
{% set count_packs = customer_feature_count_packs() %}
{% set campaign_window_days = 90 %}{# distinct_campaigns_90d #}
with

calendar as (
    select snapshot_at from {{ ref('int_snapshot_calendar') }}
    {% if is_incremental() %}
        where snapshot_at > {{ customer_features_built_until(chunk, chunks) }}
    {% endif %}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    where {{ in_chunk('contact_id', chunk, chunks) }}
),

accounts as (
    select
        account_id,
        size_band
    from {{ ref('stg_crm__accounts') }}
),

-- The profile columns, one row per contact: joined to accounts here, at the contacts' grain,
-- not in `final`, where the planner (estimating one snapshot row) built its hash table on the
-- snapshot rows: 6.9 s of CPU per 250k-customer chunk at 1M, and a peak buffer of 8.0 GB
-- where this join peaks at 4.1 GB.
contact_profiles as materialized (
    select
        contacts.contact_id,
        contacts.created_at,
        contacts.country_code,
        contacts.is_b2b,
        coalesce(accounts.size_band, 'consumer') as account_size_band
    from contacts
    left join accounts
        on contacts.account_id = accounts.account_id
),

activity as (
    select * exclude (built_at) from {{ ref('int_customer_activity_daily') }}
    where {{ in_chunk('customer_id', chunk, chunks) }}
),

touches as (
    select
        customer_id,
        channel,
        campaign_id,
        touched_at,
        {{ epoch_day('available_at') }} as activity_day
    from {{ ref('int_marketing_touches') }}
    where customer_id is not null and {{ in_chunk('customer_id', chunk, chunks) }}
),

-- distinct_campaigns_90d is a running sum of campaigns entering (+1) and leaving (-1) the
-- 90-day window, not a count(distinct) over it: in a window pass over the 13.4M rows of a
-- 250k-customer chunk, that one aggregate alone took 6.8 s and the running sum 2.3 s.
-- A campaign enters at a touch with no touch of it in the 90 days before, and leaves 90 days
-- after a touch with none in the 90 days after. Looking at the next touch uses no future
-- information: a campaign touched again within 90 days is still in the window until then.
touches_with_campaign_window as (
    select
        *,
        campaign_id is not null and (
            activity_day - lag(activity_day) over by_campaign >= {{ campaign_window_days }}
            or lag(activity_day) over by_campaign is null
        ) as enters_window,
        campaign_id is not null and (
            lead(activity_day) over by_campaign - activity_day >= {{ campaign_window_days }}
            or lead(activity_day) over by_campaign is null
        ) as leaves_window
    from touches
    window by_campaign as (partition by customer_id, campaign_id order by activity_day)
),

spine as (
    select
        contacts.contact_id as customer_id,
        calendar.snapshot_at,
        {{ epoch_day('calendar.snapshot_at') }} - 1 as activity_day
    from contacts
    cross join calendar
    where contacts.created_at < calendar.snapshot_at
),

unioned as (
    select
        *,
        false as is_snapshot,
        cast(null as timestamptz) as snapshot_at,
        cast(null as varchar) as touch_channel,
        cast(null as timestamptz) as touched_at,
        cast(null as bigint) as campaign_window_change
    from activity
    union all by name
    select
        customer_id,
        activity_day,
        false as is_snapshot,
        channel as touch_channel,
        touched_at,
        case when enters_window then 1 else 0 end as campaign_window_change
    from touches_with_campaign_window
    union all by name
    select
        customer_id,
        activity_day + {{ campaign_window_days }} as activity_day,
        false as is_snapshot,
        -count(*) as campaign_window_change
    from touches_with_campaign_window
    where leaves_window
    group by customer_id, activity_day + {{ campaign_window_days }}
    union all by name
    select
        customer_id,
        activity_day,
        true as is_snapshot,
        snapshot_at
    from spine
),

{% if by_aggregation %}
-- A few new snapshots (an incremental run): each snapshot row aggregates its customer's
-- history up to the snapshot, one group by, instead of a window pass over all history.
history as (
    select * from unioned
    where not is_snapshot
),

snapshot_aggregates as (
    select
        snapshot_rows.snapshot_customer_id as customer_id,
        snapshot_rows.snapshot_at,
        snapshot_rows.snapshot_day as activity_day,
        {{ customer_feature_aggregate_columns(count_packs, customer_feature_filter) }}
    from (
        select
            customer_id as snapshot_customer_id,
            snapshot_at,
            activity_day as snapshot_day
        from spine
    ) as snapshot_rows
    left join history
        on
            snapshot_rows.snapshot_customer_id = history.customer_id
            and history.activity_day <= snapshot_rows.snapshot_day
    group by all
),
{% else %}
windowed as (
    select
        customer_id,
        snapshot_at,
        is_snapshot,
        activity_day,
        {{ customer_feature_aggregate_columns(count_packs, customer_feature_over) }}
    from unioned
    window
        last_7d as (
            partition by customer_id order by activity_day
            range between 6 preceding and current row
        ),
        last_30d as (
            partition by customer_id order by activity_day
            range between 29 preceding and current row
        ),
        last_90d as (
            partition by customer_id order by activity_day
            range between 89 preceding and current row
        ),
        last_365d as (
            partition by customer_id order by activity_day
            range between 364 preceding and current row
        ),
        lifetime as (
            partition by customer_id order by activity_day
            range between unbounded preceding and current row
        )
),

snapshot_aggregates as (
    select * exclude (is_snapshot) from windowed
    where is_snapshot
),
{% endif %}

-- The counts out of their packs (see macros/customer_feature_count_packs.sql).
snapshots as (
    select
        {% for pack in count_packs %}
            {% set pack_number = loop.index %}
            {% for lane in pack.lanes %}
                (count_pack_{{ pack_number }} >> {{ lane.shift }}) & {{ pack.lane_mask }}
                    as {{ lane.name }},
            {% endfor %}
        {% endfor %}
        * exclude (
            {% for pack in count_packs %}
                count_pack_{{ loop.index }}{{ "," if not loop.last }}
            {% endfor %}
        )
    from snapshot_aggregates
),

final as (
    select
        -- keys and times
        snapshots.customer_id,
        snapshots.snapshot_at,
        -- rfm and monetary
        cast(snapshots.activity_day + 1 - snapshots.last_order_day as bigint)
            as days_since_last_order,
        cast(coalesce(snapshots.orders_30d, 0) as bigint) as orders_30d,
        cast(coalesce(snapshots.orders_90d, 0) as bigint) as orders_90d,
        cast(coalesce(snapshots.orders_365d, 0) as bigint) as orders_365d,
        cast(coalesce(snapshots.orders_lifetime, 0) as bigint) as orders_lifetime,
        cast(coalesce(snapshots.net_revenue_30d_usd, 0) as double) as net_revenue_30d_usd,
        cast(coalesce(snapshots.net_revenue_90d_usd, 0) as double) as net_revenue_90d_usd,
        cast(coalesce(snapshots.net_revenue_365d_usd, 0) as double) as net_revenue_365d_usd,
        cast(snapshots.gross_revenue_365d_usd / nullif(snapshots.orders_365d, 0) as double)
            as avg_order_value_365d_usd,
        cast(snapshots.refunds_lifetime / nullif(snapshots.orders_lifetime, 0) as double)
            as refund_rate_lifetime,
        {{ days_between('contact_profiles.created_at', 'snapshots.snapshot_at') }}
            as tenure_days,
        -- web engagement
        cast(snapshots.activity_day + 1 - snapshots.last_visit_day as bigint)
            as days_since_last_visit,
        cast(coalesce(snapshots.sessions_7d, 0) as bigint) as sessions_7d,
        cast(coalesce(snapshots.sessions_30d, 0) as bigint) as sessions_30d,
        cast(coalesce(snapshots.sessions_90d, 0) as bigint) as sessions_90d,
        cast(coalesce(snapshots.page_views_7d, 0) as bigint) as page_views_7d,
        cast(coalesce(snapshots.page_views_30d, 0) as bigint) as page_views_30d,
        cast(coalesce(snapshots.product_views_7d, 0) as bigint) as product_views_7d,
        cast(coalesce(snapshots.product_views_30d, 0) as bigint) as product_views_30d,
        cast(coalesce(snapshots.add_to_carts_7d, 0) as bigint) as add_to_carts_7d,
        cast(coalesce(snapshots.add_to_carts_30d, 0) as bigint) as add_to_carts_30d,
        cast(coalesce(snapshots.checkout_starts_7d, 0) as bigint) as checkout_starts_7d,
        cast(coalesce(snapshots.checkout_starts_30d, 0) as bigint) as checkout_starts_30d,
        cast(coalesce(snapshots.pricing_views_30d, 0) as bigint) as pricing_views_30d,
        -- marketing touches and cost
        cast(coalesce(snapshots.paid_clicks_30d, 0) as bigint) as paid_clicks_30d,
        cast(coalesce(snapshots.paid_clicks_90d, 0) as bigint) as paid_clicks_90d,
        cast(coalesce(snapshots.email_clicks_30d, 0) as bigint) as email_clicks_30d,
        cast(coalesce(snapshots.email_clicks_90d, 0) as bigint) as email_clicks_90d,
        cast(coalesce(snapshots.attributed_spend_90d_usd, 0) as double)
            as attributed_spend_90d_usd,
        cast(coalesce(snapshots.distinct_campaigns_90d, 0) as bigint) as distinct_campaigns_90d,
        coalesce(snapshots.first_touch_channel, 'none') as first_touch_channel,
        coalesce(snapshots.last_touch_channel, 'none') as last_touch_channel,
        -- profile
        coalesce(contact_profiles.country_code, 'unknown') as country_code,
        case
            when coalesce(snapshots.orders_lifetime, 0) >= 5 then 'repeat_customer'
            when coalesce(snapshots.orders_lifetime, 0) >= 1 then 'customer'
            when coalesce(snapshots.leads_lifetime, 0) >= 1 then 'lead'
            else 'subscriber'
        end as lifecycle_stage,
        contact_profiles.is_b2b,
        contact_profiles.account_size_band,
        -- bookkeeping
        {{ run_started_at_utc() }}
            as created_at
    from snapshots
    inner join contact_profiles
        on snapshots.customer_id = contact_profiles.contact_id
)

select * from final
{% endmacro %}

{#- The aggregates and count packs of customer_features, each restricted to its window by
    `frame(days)`: customer_feature_over (the window pass) or customer_feature_filter (the
    per-snapshot group by). -#}
{% macro customer_feature_aggregate_columns(count_packs, frame) -%}
    {% for name, aggregate, days in customer_feature_aggregates() %}
        {{ aggregate }} {{ frame(days) }} as {{ name }},
    {% endfor %}
    {% for pack in count_packs %}
        {{ count_pack_sum(pack) }} {{ frame(pack.days) }}
            as count_pack_{{ loop.index }}{{ "," if not loop.last }}
    {% endfor %}
{%- endmacro %}

{#- A window of `days` days (none: lifetime) in the window pass: one of its named windows. -#}
{% macro customer_feature_over(days) -%}
    over {{ "lifetime" if days is none else "last_" ~ days ~ "d" }}
{%- endmacro %}

{#- The same window in the group by: a filter on a snapshot's history rows. -#}
{% macro customer_feature_filter(days) -%}
    {%- if days is not none -%}
        filter (where activity_day > snapshot_rows.snapshot_day - {{ days }})
    {%- endif -%}
{%- endmacro %}

{#- The sum of one pack of counts: each count shifted into its lane (a missing count adds 0). -#}
{% macro count_pack_sum(pack) -%}
    sum(
        {%- for lane in pack.lanes %}
            {{ "+ " if not loop.first }}(cast(coalesce({{ lane.counted }}, 0) as hugeint) << {{ lane.shift }})
        {%- endfor %}
    )
{%- endmacro %}

{#- Chunks of at most var('customer_features_chunk_customers') customers. -#}
{% macro customer_feature_chunk_count() %}
    {% do return(chunk_count(ref('stg_crm__contacts'), var('customer_features_chunk_customers'))) %}
{% endmacro %}

{#- The post-hook: chunks 1.. appended to the table the model's chunk 0 created or extended.
    A chunk with no new snapshot is skipped: after one aggregated pass over every customer
    (customer_features_in_one_pass), all of them are. -#}
{% macro insert_customer_feature_chunks() %}
    {% set chunks = customer_feature_chunk_count() %}
    {% for chunk in range(1, chunks) %}
        {% set new_snapshots = customer_features_new_snapshots(chunk, chunks) %}
        {% if new_snapshots > 0 %}
            {% do run_query("insert into " ~ this ~ " " ~ customer_features_query(chunk, chunks,
                customer_features_by_aggregation(chunk, chunks, new_snapshots))) %}
        {% endif %}
    {% endfor %}
{% endmacro %}

{#- The newest snapshot already built for the chunk (before_any_data() when none is): later
    ones are new. -#}
{% macro customer_features_built_until(chunk, chunks) -%}
    {{ newest_snapshot_built(in_chunk('built.customer_id', chunk, chunks)) }}
{%- endmacro %}

{#- How many snapshots the chunk's query would add (those after its newest built one). -#}
{% macro customer_features_new_snapshots(chunk, chunks) %}
    {% do return(run_query(
        "select count(*) from " ~ ref('int_snapshot_calendar') ~ " where snapshot_at > "
        ~ customer_features_built_until(chunk, chunks)).columns[0].values()[0]) %}
{% endmacro %}

{#- Whether the chunk's new snapshots are few enough (at most
    var('customer_features_max_aggregated_snapshots')) to aggregate per snapshot: each joins
    every history row of its customers, so the cost grows with their number, where the window
    pass costs the same for one snapshot or 53 (customer_features_may_aggregate says when
    the run may). `new_snapshots`: the chunk's count, when already known. -#}
{% macro customer_features_by_aggregation(chunk, chunks, new_snapshots=none) %}
    {% if not customer_features_may_aggregate() %}{% do return(false) %}{% endif %}
    {% if new_snapshots is none %}
        {% set new_snapshots = customer_features_new_snapshots(chunk, chunks) %}
    {% endif %}
    {% do return(new_snapshots <= var('customer_features_max_aggregated_snapshots') | int) %}
{% endmacro %}

{#- Whether this incremental run aggregates its new snapshots for every customer in one pass
    (chunk 0 of 1) rather than in the window pass's chunks of customers. The per-snapshot group
    by holds its snapshot rows' aggregates, not every row's window results: at 1M customers one
    snapshot peaked at 2.9 GB in one pass, and took 8.1-8.8 s where four chunks took 4 x 2.9 s
    (each chunk scans all the daily activity and sorts its touches again). So a pass takes up
    to var('customer_features_aggregated_rows') snapshot rows: customers x the snapshots after
    the newest one the pre-hook keeps (this runs at compile time, before the pre-hook drops the
    previous latest day, which the calendar has usually replaced by a new one). The post-hook
    then finds no new snapshot in chunks 1.. and adds nothing. -#}
{% macro customer_features_in_one_pass() %}
    {% if not customer_features_may_aggregate() %}{% do return(false) %}{% endif %}
    {% set kept_by_pre_hook = "built.snapshot_at < (select max(snapshot_at) from " ~ this ~ ")" %}
    {% set new_snapshots = run_query(
        "select count(*) from " ~ ref('int_snapshot_calendar') ~ " where snapshot_at > "
        ~ newest_snapshot_built(kept_by_pre_hook)).columns[0].values()[0] %}
    {% set customers = run_query("select count(*) from " ~ ref('stg_crm__contacts'))
        .columns[0].values()[0] %}
    {% do return(customer_features_by_aggregation(0, 1, new_snapshots)
        and customers * new_snapshots <= var('customer_features_aggregated_rows') | int) %}
{% endmacro %}

{#- Whether this run may aggregate per snapshot at all: an incremental run that executes
    queries. A full refresh, a first build, parsing and a unit test take the window pass. -#}
{% macro customer_features_may_aggregate() %}
    {% do return(execute and is_incremental() and model.resource_type != 'unit_test') %}
{% endmacro %}
