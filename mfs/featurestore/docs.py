"""Render the feature views (entity, TTL, owner, features) into docs/feature-store.md.

    python -m mfs.featurestore.docs            # rewrite the generated section (needs a build)
    python -m mfs.featurestore.docs --check    # exit 1 if the doc is out of date

Rendered from the dbt contract the last build exported, like the Feast definitions themselves.
"""

from __future__ import annotations

from mfs.featurestore.definitions import definitions
from mfs.generated_docs import GeneratedSection
from mfs.paths import REPO_ROOT


def _body() -> list[str]:
    lines = ["| feature view | entity | TTL | owner (team) | features |",
             "|---|---|---:|---|---|"]
    for mart in definitions().marts:
        for view in mart.views:
            features = ", ".join(f"`{f.name}`" for f in view.features)
            lines.append(f"| `{view.name}`: {view.description} | `{mart.entity}` "
                         f"(`{mart.join_key}`) | {view.ttl.days} d | {view.owner} ({view.team}) "
                         f"| {features} |")
    return lines


SECTION = GeneratedSection(REPO_ROOT / "docs" / "feature-store.md", "views",
                           "mfs.featurestore.docs", _body)


if __name__ == "__main__":
    SECTION.main()
