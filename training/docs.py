"""Render the lead-points rule (training.baselines) into docs/training.md.

    python -m training.docs            # rewrite the generated section
    python -m training.docs --check    # exit 1 if the doc is out of date
"""

from __future__ import annotations

from mfs.generated_docs import GeneratedSection
from mfs.paths import REPO_ROOT
from training import baselines as b


def _body() -> list[str]:
    lines = ["| what | points |", "|---|---|"]
    for column, table in b.LEAD_FIT_POINTS.items():
        values = ", ".join(f"{value} {points:+d}" for value, points in table.items())
        lines.append(f"| `{column}` | {values}; anything else 0 |")
    for column, (per_event, cap) in b.LEAD_ENGAGEMENT_POINTS.items():
        lines.append(f"| `{column}` | {per_event:+d} each, at most {cap:+d} |")
    lines.append(f"| `is_existing_contact` | {b.LEAD_EXISTING_CONTACT_POINTS:+d} |")
    lines.append(f"| `days_since_last_visit` over {b.LEAD_QUIET_AFTER_DAYS} or never visited | "
                 f"{b.LEAD_QUIET_POINTS:+d} |")
    ages = ", ".join(f"<= {days} d {points:+d}" for days, points in b.LEAD_AGE_POINTS)
    lines.append(f"| `lead_age_days` (decay) | {ages}, older {b.LEAD_OLDER_POINTS:+d} |")
    return lines


SECTION = GeneratedSection(REPO_ROOT / "docs" / "training.md", "lead-points", "training.docs",
                           _body)


if __name__ == "__main__":
    SECTION.main()
