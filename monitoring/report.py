"""The drift report as JSON, Markdown and a self-contained HTML page with plots, rendered from
one list of sections (training/card.py's renderer), so the formats cannot disagree."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from monitoring.drift import DriftReport, FeatureDrift
from training.card import Section, to_html, to_markdown
from training.plots import _save

STATUS_COLORS = {"alert": "#c0392b", "warn": "#e08a1e", "stable": "#3a9e4f"}


def _psi_chart(report: DriftReport, path: Path) -> None:
    shown = report.features[:25]
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(shown) + 1.2))
    ax.barh([f.feature for f in shown][::-1], [f.psi for f in shown][::-1],
            color=[STATUS_COLORS[f.status] for f in shown][::-1])
    for x, style in ((report.thresholds.psi_warn, ":"), (report.thresholds.psi_alert, "--")):
        ax.axvline(x, color="#555555", ls=style, lw=1)
    ax.set_xlabel("PSI (dotted: warn, dashed: alert)")
    ax.set_title("Population stability index by feature")
    _save(fig, path)


def _bins_chart(drift: FeatureDrift, path: Path) -> None:
    labels = [b["bin"] for b in drift.bins]
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.bar(x - 0.2, [b["reference"] for b in drift.bins], 0.4, label="reference (test window)",
           color="#999999")
    ax.bar(x + 0.2, [b["current"] for b in drift.bins], 0.4, label="current",
           color=STATUS_COLORS[drift.status])
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("share")
    ax.set_title(f"{drift.feature}: PSI {drift.psi:.3f}")
    ax.legend(fontsize=8)
    _save(fig, path)


def write_report(report: DriftReport, folder: Path) -> dict[str, Path]:
    """drift.json, drift.md, drift.html and plots/ in `folder`."""
    plots = folder / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    _psi_chart(report, plots / "psi.png")
    _bins_chart(report.score, plots / "score.png")
    shown = [f for f in report.features if f.status != "stable"][:8]
    for drift in shown:
        _bins_chart(drift, plots / f"feature_{drift.feature}.png")
    verdict = (f"**Drift alert** on {', '.join(report.alerts)}" if report.drifted
               else "**No drift alert**")
    sections = [
        Section("Summary", [verdict + "."], facts=[
            ("model", f"{report.model} v{report.version}"),
            ("features as of", report.features_as_of),
            ("rows", f"reference {report.reference_rows:,} (test window), current "
                     f"{report.current_rows:,}"),
            ("thresholds", f"PSI warn {report.thresholds.psi_warn}, alert "
                           f"{report.thresholds.psi_alert}; missing-rate change "
                           f"{report.thresholds.missing_rate_alert}; score PSI "
                           f"{report.thresholds.score_psi_alert}"),
            ("score PSI", f"{report.score.psi:.4f} ({report.score.status})")],
            plots=[("PSI by feature", "plots/psi.png"), ("Score distribution",
                                                         "plots/score.png")]),
        Section("Features", tables=[(
            ["feature", "status", "PSI", "missing ref", "missing now", "new categories"],
            [[f.feature, f.status, f.psi_text, f"{f.missing_rate_reference:.1%}",
              f"{f.missing_rate_current:.1%}", ", ".join(f.new_categories[:5]) or "-"]
             for f in report.features])]),
    ]
    if shown:
        sections.append(Section("Shifted features", plots=[
            (f.feature, f"plots/feature_{f.feature}.png") for f in shown]))
    title = f"Drift: {report.model} v{report.version}"
    out = {"json": folder / "drift.json", "md": folder / "drift.md",
           "html": folder / "drift.html"}
    out["json"].write_text(json.dumps(report.as_dict(), indent=1, default=str))
    out["md"].write_text(to_markdown(title, sections))
    out["html"].write_text(to_html(title, sections, folder))
    return out
