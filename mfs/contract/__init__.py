"""The raw data contract: table schemas, file discovery and validation."""

from mfs.contract.schema import TABLES, TABLES_BY_NAME, Column, Table, empty_table, table

__all__ = ["TABLES", "TABLES_BY_NAME", "Column", "Table", "empty_table", "table"]
