{#- The incremental snapshot marts (customer_features, lead_features) append the snapshots after
    the newest one built, once their pre-hook has dropped that one. -#}

{#- The pre-hook: drop the newest snapshot, the previous run's "latest day", so the run
    recomputes it with what arrived since (or drops it for good when the calendar no longer
    has it). -#}
{% macro delete_newest_snapshot() %}
    {% if is_incremental() %}
        delete from {{ this }} where snapshot_at >= (select max(snapshot_at) from {{ this }})
    {% endif %}
{% endmacro %}

{#- The newest snapshot already built (of the rows `built` matching `where`, if given), or
    before_any_data() when none is: later snapshots are new. -#}
{% macro newest_snapshot_built(where=none) -%}
    (
        select coalesce(max(built.snapshot_at), {{ before_any_data() }})
        from {{ this }} as built
        {% if where %}where {{ where }}{% endif %}
    )
{%- endmacro %}
