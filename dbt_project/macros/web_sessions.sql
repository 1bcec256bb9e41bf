{#-
    The query of int_web_sessions for one chunk of visitors (`chunk` of `chunks`, split by a hash
    of the anonymous id). Sessionising sorts every event of a visitor: at 1M customers that is
    69M wide rows, which spilled about 6 GB under the default 8 GB memory limit. Sessions never
    cross visitors, so chunks never interact. See the model file for the rules.

    Incremental: every visitor with an event in the lookback window has all its sessions
    recomputed, in one pass: chunking it would scan every event once per chunk. The lookback
    counts back from the chunk's newest session, and a chunk with nothing built yet reads all
    its visitors: the post-hook relies on that when a first build without --full-refresh runs
    in chunks.
-#}
{% macro web_sessions_query(chunk, chunks) %}
with

events as (
    select * from {{ ref('stg_web__events') }}
    where {{ in_chunk('anonymous_id', chunk, chunks) }}
    {% if is_incremental() %}
        and anonymous_id in (
            select recent.anonymous_id from {{ ref('stg_web__events') }} as recent
            where recent.occurred_at > (
                select
                    coalesce(
                        max(built.ended_at), timestamptz '1900-01-01 00:00:00+00'
                    ) - interval {{ var('incremental_lookback_days') }} day
                from {{ this }} as built
                where {{ in_chunk('built.anonymous_id', chunk, chunks) }}
            )
        )
    {% endif %}
),

gaps as (
    select
        *,
        case
            when lag(occurred_at) over by_visitor is null then 1
            when
                occurred_at - lag(occurred_at) over by_visitor
                > interval {{ var('session_timeout_minutes') }} minute then 1
            else 0
        end as is_session_start,
        row_number() over by_visitor as event_number
    from events
    window by_visitor as (partition by anonymous_id order by occurred_at, event_id)
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id order by event_number
            rows between unbounded preceding and current row
        ) as session_number
    from gaps
),

final as (
    select
        anonymous_id || '-' || cast(session_number as varchar) as session_id,
        anonymous_id,
        session_number,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count,
        arg_min(page_path, event_number) as landing_page,
        arg_min(utm_source, event_number) as utm_source,
        arg_min(utm_medium, event_number) as utm_medium,
        arg_min(utm_campaign, event_number) as utm_campaign,
        arg_min(click_id, event_number) as click_id,
        arg_min(device, event_number) as device,
        arg_min(country_code, event_number) as country_code
    from numbered
    group by anonymous_id, session_number
)

select
    *,
    {{ channel_from_utm('utm_source', 'utm_medium') }} as channel
from final
{% endmacro %}

{#- Chunks of at most var('web_sessions_chunk_events') events. -#}
{% macro web_session_chunk_count() %}
    {% do return(chunk_count(ref('stg_web__events'), var('web_sessions_chunk_events'))) %}
{% endmacro %}

{#- The post-hook: chunks 1.. appended to the model's chunk 0. An incremental run has nothing to
    add (its one pass covered every chunk), except when this run created the table: dbt counts a
    first build without --full-refresh as incremental by the time its post-hook runs, and then
    the table holds chunk 0 alone. -#}
{% macro insert_web_session_chunks() %}
    {% set chunks = web_session_chunk_count() %}
    {% if chunks > 1 and is_incremental() %}
        {% set outside_chunk_0 = run_query(
            "select exists (select 1 from " ~ this ~ " where not ("
            ~ in_chunk('anonymous_id', 0, chunks) ~ "))").columns[0].values()[0] %}
        {% if outside_chunk_0 %}{% set chunks = 1 %}{% endif %}
    {% endif %}
    {% for chunk in range(1, chunks) %}
        {% do run_query("insert into " ~ this ~ " " ~ web_sessions_query(chunk, chunks)) %}
    {% endfor %}
{% endmacro %}
