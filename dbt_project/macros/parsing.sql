{#-
    Parsing raw values into contract types. Each `*_problem` macro returns a SQL expression that
    is a rejection reason or null, so a staging base model lists its rules as
    coalesce(rule_1, rule_2, ...) and the first failing rule names the row's reason.
-#}

{#- Parse a raw timestamp, by how the file stores it: a zoned timestamp as it is; text only
    when it ends in a time of day and a zone (a date alone, `2025-03-01`, or a naive time is
    never assumed to be UTC); a naive TIMESTAMP or a DATE not at all. Rows left null by this
    are quarantined by timestamp_problem() as `timestamp_without_timezone`, the class
    `mfs validate` reports for them (mfs/contract/validate.py uses the same pattern). -#}
{% macro parse_timestamp(column, table) -%}
    {%- set type = raw_type(table, column) | trim -%}
    {%- if type == 'VARCHAR' -%}
        case when regexp_matches(trim({{ column }}), '{{ zoned_time_pattern() }}')
             then try_cast(trim({{ column }}) as timestamptz) end
    {%- elif type in ['TIMESTAMP', 'DATE', 'TIMESTAMP_NS', 'TIMESTAMP_MS', 'TIMESTAMP_S'] -%}
        cast(null as timestamptz)
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}

{#- A time of day followed by a zone designator (Z or an offset) at the end of the text. -#}
{% macro zoned_time_pattern() -%}
    [0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$
{%- endmacro %}

{#- The DuckDB type of a raw column (`source.x` names column x) as the file stores it, written
    out (not returned: a nested return leaks out of the calling macro in sqlfluff's linter). -#}
{% macro raw_type(table, column) -%}
    {%- if execute -%}
        {%- set name = column.split('.')[-1] -%}
        {%- set found = run_query("select data_type from information_schema.columns where "
            ~ "table_schema = 'raw' and table_name = '" ~ table ~ "' and column_name = '"
            ~ name ~ "'") -%}
        {{- found.columns[0].values()[0] if found.rows | length else 'VARCHAR' -}}
    {%- else -%}
        TIMESTAMP WITH TIME ZONE
    {%- endif -%}
{%- endmacro %}

{#- "Now" for the build: what may not lie in the future, the cap on the latest snapshot and the
    time source freshness is measured at. var('reference_time'), else env MFS_NOW (the clock
    the Python stages read too: mfs/clock.py), else the build's start. -#}
{% macro reference_time() -%}
    {%- set now = var('reference_time', none) or env_var('MFS_NOW', '') -%}
    {%- if now -%}
        timestamptz '{{ now }}'
    {%- else -%}
        {{ run_started_at_utc() }}
    {%- endif -%}
{%- endmacro %}

{#- The midnight (UTC) at or before reference_time(), as a DATE: the last complete day ends
    there, and no snapshot may be later. -#}
{% macro last_complete_day_end() -%}
    cast(date_trunc('day', {{ reference_time() }} at time zone 'UTC') as date)
{%- endmacro %}

{% macro timestamp_problem(column, table, required=true) -%}
    case
        {% if required -%}
        when {{ column }} is null then 'missing_{{ column }}'
        {% endif -%}
        {% set type = raw_type(table, column) | trim -%}
        {% if type == 'VARCHAR' -%}
        when {{ column }} is not null
             and not regexp_matches(trim({{ column }}), '{{ zoned_time_pattern() }}')
            then 'timestamp_without_timezone'
        {% elif type in ['TIMESTAMP', 'DATE', 'TIMESTAMP_NS', 'TIMESTAMP_MS', 'TIMESTAMP_S'] -%}
        when {{ column }} is not null then 'timestamp_without_timezone'
        {% endif -%}
        when {{ column }} is not null and {{ parse_timestamp(column, table) }} is null
            then 'unparseable_{{ column }}'
        when {{ parse_timestamp(column, table) }} > {{ reference_time() }}
            then 'future_timestamp'
    end
{%- endmacro %}

{#- A required value that must parse as `type`. -#}
{% macro value_problem(column, type, required=true) -%}
    case
        {% if required -%}
        when {{ column }} is null then 'missing_{{ column }}'
        {% endif -%}
        when {{ column }} is not null and try_cast({{ column }} as {{ type }}) is null
            then 'unparseable_{{ column }}'
    end
{%- endmacro %}

{#- Keys: null, or seen before in the same export (ordered by `order_by`, the first kept).
    A large table passes `rank` instead: a column holding the row's rank among its key's
    copies, computed for the duplicated keys alone. -#}
{% macro key_problem(column, order_by=none, rank=none) -%}
    case
        when {{ column }} is null then 'null_key'
        {% if rank -%}
        when {{ rank }} > 1 then 'duplicate_key'
        {% else -%}
        when row_number() over (partition by {{ column }} order by {{ order_by }}) > 1
            then 'duplicate_key'
        {% endif -%}
    end
{%- endmacro %}

{% macro accepted_problem(expression, values, reason) -%}
    case when {{ expression }} is not null and {{ expression }} not in (
        {%- for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor -%}
    ) then '{{ reason }}' end
{%- endmacro %}

{#- Trim + lower-case: the join form of an email (plus-tags and dots are kept: other systems
    treat them as different addresses; ad-platform formatting happens at export). -#}
{% macro normalize_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{% macro is_valid_email(normalized) -%}
    regexp_full_match({{ normalized }}, '[^@\s]+@[^@\s]+\.[a-z]{2,}')
{%- endmacro %}

{#- A stable, non-PII join key for a person: sha256 of the normalised email. -#}
{% macro email_key(column) -%}
    case when {{ is_valid_email(normalize_email(column)) }} then sha256({{ normalize_email(column) }}) end
{%- endmacro %}

{#- E.164 from what people type: '+..' and '00..' are international; otherwise national digits
    with the trunk prefix dropped and the country's calling code prepended. -#}
{% macro normalize_phone(column, calling_code) -%}
    case
        when {{ column }} is null or regexp_replace({{ column }}, '[^0-9]', '', 'g') = '' then null
        when trim({{ column }}) like '+%'
            then '+' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
        when regexp_replace({{ column }}, '[^0-9]', '', 'g') like '00%'
            then '+' || substr(regexp_replace({{ column }}, '[^0-9]', '', 'g'), 3)
        when {{ calling_code }} = '1' and length(regexp_replace({{ column }}, '[^0-9]', '', 'g')) = 11
             and regexp_replace({{ column }}, '[^0-9]', '', 'g') like '1%'
            then '+' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
        else '+' || {{ calling_code }} || ltrim(regexp_replace({{ column }}, '[^0-9]', '', 'g'), '0')
    end
{%- endmacro %}

{#- GA4-style default channel grouping from utm_source / utm_medium. -#}
{% macro channel_from_utm(source, medium) -%}
    case
        when {{ medium }} = 'cpc' then 'paid_search'
        when {{ medium }} in ('paid_social', 'paidsocial', 'cpm') then 'paid_social'
        when {{ medium }} = 'email' then 'email'
        when {{ medium }} is not null then 'other_campaign'
        when {{ source }} is not null then 'referral'
        else 'direct'
    end
{%- endmacro %}

{#- Days since 1970-01-01 (UTC) of a timestamp: the integer axis of the feature windows.
    Integer arithmetic on epoch microseconds, because casting a TIMESTAMPTZ to DATE goes
    through the ICU calendar: 7x slower, and this runs on every web event (69M at 1M
    customers). The quotient stays below 2^53, so the floor is exact. -#}
{% macro epoch_day(ts) -%}
    cast(floor(epoch_us({{ ts }}) / 86400000000) as bigint)
{%- endmacro %}

{#- Whole UTC days from `start_ts` to `end_ts`: date_diff('day', ...) without the ICU calendar. -#}
{% macro days_between(start_ts, end_ts) -%}
    ({{ epoch_day(end_ts) }} - {{ epoch_day(start_ts) }})
{%- endmacro %}

{#- Seniority band from a free-text job title (the bands sales teams score leads by). -#}
{% macro title_seniority(title) -%}
    case
        when {{ title }} is null or lower(trim({{ title }})) in ('', 'n/a', 'na', '-') then 'unknown'
        when regexp_matches(lower({{ title }}), '\b(ceo|cto|coo|cmo|cfo|chief|founder|president|owner)\b')
            and not regexp_matches(lower({{ title }}), 'vice president') then 'c_level'
        when regexp_matches(lower({{ title }}), '\b(vp|svp|evp|vice president)\b') then 'vp'
        when regexp_matches(lower({{ title }}), '\b(director|head of)\b') then 'director'
        when regexp_matches(lower({{ title }}), '\b(manager|lead)\b') then 'manager'
        else 'individual'
    end
{%- endmacro %}

{#- Earlier than any data: what an incremental model's "newest row built" is when it has none. -#}
{% macro before_any_data() -%}
    timestamptz '1900-01-01 00:00:00+00'
{%- endmacro %}

{#- The dbt run's start as a TIMESTAMPTZ literal (the `created_at` of feature rows). -#}
{% macro run_started_at_utc() -%}
    {%- if run_started_at is string -%}
        timestamptz '{{ run_started_at }}+00'
    {%- else -%}
        timestamptz '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}+00'
    {%- endif -%}
{%- endmacro %}

{#- Which days are snapshot days: var snapshot_cadence 'weekly' (Mondays) or 'daily'; the latest
    day is always one. -#}
{% macro is_snapshot_day(day, end_day) -%}
    {%- set cadence = var('snapshot_cadence') -%}
    {%- if cadence == 'daily' -%}
        true
    {%- elif cadence != 'weekly' and exceptions is defined -%}
        {{ exceptions.raise_compiler_error("var snapshot_cadence must be weekly or daily, got " ~ cadence) }}
    {%- else -%}
        {#- weekly (and whatever a linter's stand-in `var` returns) -#}
        (isodow({{ day }}) = 1 or {{ day }} = {{ end_day }})
    {%- endif -%}
{%- endmacro %}

{#- Employee-count band, the same for accounts and lead forms. -#}
{% macro employee_size_band(employee_count) -%}
    case
        when {{ employee_count }} is null then 'unknown'
        when {{ employee_count }} < 10 then '1-9'
        when {{ employee_count }} < 50 then '10-49'
        when {{ employee_count }} < 250 then '50-249'
        when {{ employee_count }} < 1000 then '250-999'
        else '1000+'
    end
{%- endmacro %}
