"""Render the contract's tables into docs/data-contract.md (between two marker comments).

    python -m mfs.contract.docs            # rewrite the generated section in place
    python -m mfs.contract.docs --check    # exit 1 if the doc is out of date (used by tests)
"""

from __future__ import annotations

from mfs.contract.schema import TABLES, Column
from mfs.contract.validate import duckdb_type
from mfs.generated_docs import GeneratedSection
from mfs.paths import REPO_ROOT


def _rules(col: Column) -> str:
    parts = []
    if col.unique:
        parts.append("key, unique")
    parts.append("nullable, may be absent" if col.nullable else
                 f"required; `{col.default}` when the column is absent" if col.default else
                 "required")
    if col.allowed:
        parts.append("one of " + ", ".join(f"`{v}`" for v in col.allowed))
    if col.pattern:
        parts.append("email-shaped")
    if col.minimum is not None:
        parts.append(f">= {col.minimum:g}")
    if col.references:
        parts.append(f"-> `{col.references}`")
    if col.not_future:
        parts.append("not in the future")
    if col.unique_normalized:
        parts.append("unique after trim + lower-case")
    if col.pii:
        parts.append("**PII**")
    return "; ".join(parts)


def _body() -> list[str]:
    lines: list[str] = []
    for table in TABLES:
        required = "required" if table.required else "optional"
        lines += [
            f"### `{table.name}` ({required})",
            "",
            f"Mimics: {table.mimics}. {table.grain}"
            + (f" {table.notes}" if table.notes else ""),
            "",
            "| column | type | rules | meaning |",
            "|---|---|---|---|",
        ]
        for col in table.columns:
            lines.append(
                f"| `{col.name}` | {duckdb_type(col.type)} | {_rules(col)} | {col.description} |"
            )
        if table.composite_key:
            lines += ["", f"Unique together: {', '.join(table.composite_key)}."]
        lines.append("")
    return lines[:-1]


SECTION = GeneratedSection(REPO_ROOT / "docs" / "data-contract.md", "contract",
                           "mfs.contract.docs", _body)


if __name__ == "__main__":
    SECTION.main()
