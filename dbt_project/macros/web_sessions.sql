{#-
    The query of int_web_sessions for one chunk of visitors (`chunk` of `chunks`, split by a hash
    of the anonymous id). Sessionising sorts every event of a visitor: at 1M customers that is
    69M wide rows, which spilled about 6 GB under the default 8 GB memory limit. Sessions never
    cross visitors, so chunks never interact. See the model file for the rules.

    Incremental: every visitor of the chunk with an event in the lookback window (counted back
    from the chunk's own newest session, so an earlier chunk's inserts cannot move it) has all
    its sessions recomputed. A chunk with nothing built yet reads all its visitors.
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

{#- The post-hook: chunks 1.. of the model's chunk 0. A full refresh appends them; an
    incremental run replaces each chunk's recomputed visitors, as delete+insert does for chunk 0.
    (On a first build without --full-refresh the table exists by now, so this takes the
    incremental branch: it deletes nothing, and each chunk reads all its visitors.) -#}
{% macro insert_web_session_chunks() %}
    {% set chunks = web_session_chunk_count() %}
    {% for chunk in range(1, chunks) %}
        {% if is_incremental() %}
            {% do run_query("create or replace temp table web_sessions_chunk as "
                            ~ web_sessions_query(chunk, chunks)) %}
            {% do run_query("delete from " ~ this ~ " where anonymous_id in "
                            ~ "(select anonymous_id from web_sessions_chunk)") %}
            {% do run_query("insert into " ~ this ~ " select * from web_sessions_chunk") %}
            {% do run_query("drop table web_sessions_chunk") %}
        {% else %}
            {% do run_query("insert into " ~ this ~ " " ~ web_sessions_query(chunk, chunks)) %}
        {% endif %}
    {% endfor %}
{% endmacro %}
