"""`mfs build`: dbt on DuckDB, a summary of what it did, and the Feast-facing parquet exports."""
