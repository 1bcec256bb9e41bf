{#-
    The query of int_web_sessions for one chunk of visitors (`chunk` of `chunks`, split by a hash
    of the anonymous id). Sessionising sorts every event of a visitor: at 1M customers that is
    69M wide rows, which spilled about 6 GB under the default 8 GB memory limit. Sessions never
    cross visitors, so chunks never interact. See the model file for the rules.

    Incremental: a visitor with an event in the lookback window (after `recompute_after`) has
    its sessions recomputed from the end of its last final session on. A session that ended more
    than one timeout before `recompute_after` is final: no event the lookback admits can join
    it. Its count carries the numbering on, so the ids are the ones a full refresh gives, and
    the model's delete (incremental_predicates) removes only the sessions recomputed here. This
    sorts the recent visitors' recent events instead of their whole history. It runs in one
    pass: chunking it would scan every event once per chunk. `recompute_after` counts back from
    the chunk's newest session, and a chunk with nothing built yet reads all its visitors'
    events: the post-hook relies on that when a first build without --full-refresh runs in
    chunks.
-#}
{% macro web_sessions_query(chunk, chunks) %}
with

{% if is_incremental() %}
built as (
    select
        anonymous_id,
        session_number,
        started_at,
        ended_at
    from {{ this }}
    where {{ in_chunk('anonymous_id', chunk, chunks) }}
),

recent_visitors as (
    select distinct anonymous_id from {{ ref('stg_web__events') }}
    where
        {{ in_chunk('anonymous_id', chunk, chunks) }}
        and occurred_at > {{ web_sessions_recompute_after(chunk, chunks) }}
),

final_sessions as (
    select
        anonymous_id,
        max(session_number) as final_session_count,
        max(ended_at) as final_until
    from built
    where
        anonymous_id in (select recent_visitors.anonymous_id from recent_visitors)
        and ended_at < {{ web_sessions_final_before(chunk, chunks) }}
    group by anonymous_id
),

-- No event to recompute is older than this: it is new (after recompute_after; everything
-- before was sessionised by an earlier run) or lies in a built session that is not final.
-- The bound changes no result, but the events are stored in time order, so the scan skips
-- all but the last days' row groups instead of probing every event against the recent
-- visitors (with final_sessions limited to them: 2.9 -> 1.2 s at 1M, same rows).
recompute_from as (
    select
        least(
            min(built.started_at),
            {{ web_sessions_recompute_after(chunk, chunks) }}
        ) as occurred_at
    from built
    where built.ended_at >= {{ web_sessions_final_before(chunk, chunks) }}
),

events as (
    select
        events.*,
        coalesce(final_sessions.final_session_count, 0) as sessions_before
    from {{ ref('stg_web__events') }} as events
    inner join recent_visitors
        on events.anonymous_id = recent_visitors.anonymous_id
    left join final_sessions
        on events.anonymous_id = final_sessions.anonymous_id
    where
        events.occurred_at >= (select recompute_from.occurred_at from recompute_from)
        and events.occurred_at
        > coalesce(final_sessions.final_until, {{ before_any_data() }})
),
{% else %}
events as (
    select
        *,
        0 as sessions_before
    from {{ ref('stg_web__events') }}
    where {{ in_chunk('anonymous_id', chunk, chunks) }}
),
{% endif %}

-- The gap is compared in microseconds: subtracting timestamps gives an interval, and comparing
-- intervals (normalised months, days and microseconds) took the query from 15.0 to 16.7 s on
-- a chunk of 17M events.
gaps as (
    select
        *,
        case
            when lag(occurred_at) over by_visitor is null then 1
            when
                epoch_us(occurred_at) - epoch_us(lag(occurred_at) over by_visitor)
                > {{ var('session_timeout_minutes') * 60 * 1000000 }} then 1
            else 0
        end as is_session_start,
        row_number() over by_visitor as event_number
    from events
    window by_visitor as (partition by anonymous_id order by occurred_at, event_id)
),

numbered as (
    select
        *,
        sessions_before + sum(is_session_start) over (
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
    {{ channel_from_utm('utm_source', 'utm_medium') }} as channel,
    {{ run_started_at_utc() }} as built_at
from final
{% endmacro %}

{#- Events after this time make their visitor's sessions recomputed: the lookback counts back
    from the newest session built (of the chunk; before_any_data() when it has none). -#}
{% macro web_sessions_recompute_after(chunk, chunks) -%}
    (
        select
            coalesce(max(built.ended_at), {{ before_any_data() }})
            - interval {{ var('incremental_lookback_days') }} day
        from {{ this }} as built
        where {{ in_chunk('built.anonymous_id', chunk, chunks) }}
    )
{%- endmacro %}

{#- Sessions that ended before this are final: an event after `recompute_after` is more than a
    timeout later, so it starts a session of its own. The model's incremental_predicates keep
    them (and only them) out of the delete. -#}
{% macro web_sessions_final_before(chunk, chunks) -%}
    ({{ web_sessions_recompute_after(chunk, chunks) }}
        - interval {{ var('session_timeout_minutes') }} minute)
{%- endmacro %}

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
