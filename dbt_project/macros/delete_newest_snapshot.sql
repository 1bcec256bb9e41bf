{#- The pre-hook of the incremental snapshot marts (customer_features, lead_features): drop the
    newest snapshot, the previous run's "latest day", so the run recomputes it with what
    arrived since (or drops it for good when the calendar no longer has it). -#}
{% macro delete_newest_snapshot() %}
    {% if is_incremental() %}
        delete from {{ this }} where snapshot_at >= (select max(snapshot_at) from {{ this }})
    {% endif %}
{% endmacro %}
