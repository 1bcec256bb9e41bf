-- One row per order with its refund: gross and net USD amounts, and when the refund (or
-- cancellation) became known. Net is zero for refunded or cancelled orders.
select
    order_id,
    contact_id as customer_id,
    channel,
    amount_usd as gross_amount_usd,
    case when is_refunded then 0 else amount_usd end as net_amount_usd,
    item_count,
    is_refunded,
    ordered_at,
    refunded_at
from {{ ref('stg_crm__orders') }}
