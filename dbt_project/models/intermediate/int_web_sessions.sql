{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='anonymous_id',
        incremental_predicates=["ended_at >= " ~ web_sessions_final_before(0, 1)],
        on_schema_change='fail',
        post_hook="{{ insert_web_session_chunks() }}"
    )
}}
-- One row per web session: a run of one anonymous id's events with no gap longer than
-- `session_timeout_minutes`. Each landing attribute (page, UTM, click id, device, country) is
-- the first non-null value in the session, so a visit that turns into an ad click within the
-- timeout keeps the click. Events are numbered once in the first sorted pass; the later passes
-- order and pick by that integer (a third faster than re-comparing (occurred_at, event_id)).
-- Incremental: every anonymous id with an event in the lookback window has its sessions
-- recomputed from its last final session on (delete+insert on anonymous_id, limited to those
-- sessions by incremental_predicates), so late events merge sessions exactly as a full refresh
-- would. A session is final once it ended more than one timeout before the lookback window.
--
-- The query lives in macros/web_sessions.sql because it runs once per chunk of visitors (var
-- web_sessions_chunk_events, 20M events by default): this file builds chunk 0 and the
-- post-hook the rest, so that no single sort holds all 69M events at 1M customers. An
-- incremental run recomputes only its recent visitors, in one pass.
{{ web_sessions_query(chunk=0, chunks=1 if is_incremental() else web_session_chunk_count()) }}
