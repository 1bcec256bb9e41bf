"""The model passport: card.json (every figure), card.md and card.html (with plots).

Both documents render the same list of sections built from card.json, so the Markdown and the
HTML can never disagree. The HTML embeds its plots (one self-contained file to open or mail);
the Markdown links the PNGs in plots/.
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from training import plots
from training.features import FeatureEncoder

CARD_JSON, CARD_MD, CARD_HTML, PLOTS_DIR = "card.json", "card.md", "card.html", "plots"
METRIC_COLUMNS = [("roc_auc", "ROC-AUC"), ("pr_auc", "PR-AUC"), ("log_loss", "log loss"),
                  ("brier", "Brier"), ("ece", "ECE"), ("top_decile_lift", "lift@top 10%")]


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[list[str], list[list[str]]]] = field(default_factory=list)
    plots: list[tuple[str, str]] = field(default_factory=list)  # (caption, relative path)


def read(folder: Path) -> dict[str, Any]:
    return json.loads((folder / CARD_JSON).read_text())


def write(folder: Path, card: dict[str, Any], scores: dict[str, np.ndarray],
          labels: np.ndarray, shap_rows: np.ndarray, shap_values: np.ndarray,
          encoder: FeatureEncoder) -> None:
    plot_paths = plots.draw_all(folder / PLOTS_DIR, labels, scores, card["test"], encoder,
                                shap_rows, shap_values)
    (folder / CARD_JSON).write_text(json.dumps(card, indent=1, default=str))
    content = sections(card, plot_paths)
    title = f"Model card: {card['model']} v{card['version']}"
    (folder / CARD_MD).write_text(to_markdown(title, content))
    (folder / CARD_HTML).write_text(to_html(title, content, folder))


def _f(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "nan" if np.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def sections(card: dict[str, Any], plot_paths: dict[str, str]) -> list[Section]:
    test, split = card["test"], card["split"]
    out = [Section("What it is for", facts=[
        ("task", card["description"]), ("decision it supports", card["decision"]),
        ("intended use", card["intended_use"]), ("owner", card["owner"]),
        ("trained at", card["trained_at"]),
    ])]
    out.append(Section("Data", facts=[
        ("feature service", f"{card['feature_service']['name']} (views: "
                            f"{', '.join(card['feature_service']['views'])})"),
        ("label", f"{card['label']['column']} within {card['label']['horizon_days']} days, from "
                  f"the dbt mart {card['label']['mart']}"),
        ("training set sha256", card["data"]["sha256"]),
        ("rows", f"{card['data']['rows']:,} labelled rows x "
                 f"{len(card['feature_service']['features'])} features"
                 + (f" ({card['data']['entity_share']:.1%} of entities, sampled by key hash)"
                    if card["data"].get("entity_share", 1.0) < 1 else "")),
    ], tables=[(["part", "first as-of", "last as-of", "rows", "positives"],
                [[part, split[part]["first_as_of"][:19], split[part]["last_as_of"][:19],
                  f"{split[part]['rows']:,}", f"{card['data']['parts'][part]['positives']:,}"]
                 for part in ("train", "validation", "test")])],
        paragraphs=["Split by time: training and validation keep only rows whose label window "
                    "closed before the first test as-of time (training.split)."]))
    params = card["xgboost"]["params"]
    out.append(Section("Parameters", facts=[
        *[(key, _f(value)) for key, value in params.items()],
        ("trees kept (best validation round)", str(card["xgboost"]["trees"])),
    ]))
    rows = [[name, *[_f(test[name][key]) for key, _ in METRIC_COLUMNS]] for name in test]
    metric_section = Section("Test-window metrics vs baselines and oracle",
                             tables=[(["scorer", *[h for _, h in METRIC_COLUMNS]], rows)],
                             plots=[("ROC", plot_paths["roc"]),
                                    ("Precision-recall", plot_paths["pr"])])
    if "oracle" in test:
        ratio = test["model"]["roc_auc"] / test["oracle"]["roc_auc"]
        metric_section.paragraphs.append(
            f"Model ROC-AUC / oracle ROC-AUC = **{ratio:.4f}** (the oracle is the generator's "
            f"true probability, read for evaluation only from {card['oracle_source']}).")
    versus = card.get("versus_baselines") or {}
    if versus:
        metric_section.tables.append((
            ["model minus", "ROC-AUC (95% CI)", "lift@10% (95% CI)"],
            [[name, *[f"{d[m]['difference']:+.4f} [{d[m]['low']:+.4f}, {d[m]['high']:+.4f}]"
                      for m in ("roc_auc", "top_decile_lift")]]
             for name, d in versus.items()]))
        metric_section.paragraphs.append(
            "Differences on the same test rows; intervals from a paired bootstrap that "
            "resamples entities (200 rounds). An interval that spans zero is no evidence "
            "either way.")
    out.append(metric_section)
    model = test["model"]
    out.append(Section("Deciles (model)", tables=[(
        ["decile", "rows", "positives", "rate", "lift", "cumulative gain", "score range"],
        [[str(d["decile"]), f"{d['rows']:,}", f"{d['positives']:,}", _f(d["positive_rate"]),
          _f(d["lift"], 2), _f(d["cumulative_gain"], 3),
          f"{d['min_score']:.3f}-{d['max_score']:.3f}"] for d in model["deciles"]])],
        plots=[("Gains and lift", plot_paths["gains"])]))
    out.append(Section("Targeting the top k% (model)", tables=[(
        ["top", "rows", "precision", "recall", "F1"],
        [[f"{t['share']:.0%}", f"{t['rows']:,}", _f(t["precision"]), _f(t["recall"]),
          _f(t["f1"])] for t in model["top_k"]])]))
    out.append(Section("Calibration (model)", paragraphs=[
        f"Expected calibration error {_f(model['ece'])} over 10 equal-width bins."],
        tables=[(["bin", "rows", "mean predicted", "observed rate"],
                 [[f"{b['lower']:.1f}-{b['upper']:.1f}", f"{b['rows']:,}",
                   _f(b["mean_predicted"]), _f(b["observed_rate"])]
                  for b in model["calibration"]])],
        plots=[("Reliability curve", plot_paths["calibration"])]))
    segment_rows = []
    for column, values in card["segments"].items():
        for value, result in values.items():
            segment_rows.append([column, value, *(
                [result, "", "", "", ""] if isinstance(result, str) else
                [f"{result['rows']:,}", f"{result['positives']:,}", _f(result["roc_auc"]),
                 _f(result["pr_auc"]), _f(result["top_decile_lift"], 2)])])
    out.append(Section("Metrics by segment (model, test window)", tables=[(
        ["segment", "value", "rows", "positives", "ROC-AUC", "PR-AUC", "lift@top 10%"],
        segment_rows)]))
    out.append(Section("Top features (mean |SHAP|, log-odds)", tables=[(
        ["feature", "kind", "mean abs SHAP"],
        [[s["feature"], s["kind"], _f(s["mean_abs_shap"])] for s in card["shap"][:15]])],
        plots=[("SHAP summary", plot_paths["shap"])]))
    gate = card["gate"]
    out.append(Section("Promotion gate", paragraphs=[
        f"Decision: **{'promote' if gate['promote'] else 'refused'}** on {gate['metric']}."],
        facts=[(str(i + 1), reason) for i, reason in enumerate(gate["reasons"])]))
    out.append(Section("Known limitations", facts=[
        (str(i + 1), text) for i, text in enumerate(card["limitations"])]))
    return out


def to_markdown(title: str, content: list[Section]) -> str:
    lines = [f"# {title}", ""]
    for section in content:
        lines += [f"## {section.title}", ""]
        lines += [*(p for p in section.paragraphs), ""] if section.paragraphs else []
        if section.facts:
            lines += [f"- **{key}**: {value}" for key, value in section.facts] + [""]
        for header, rows in section.tables:
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "|".join("---" for _ in header) + "|")
            lines += ["| " + " | ".join(cells) + " |" for cells in rows]
            lines.append("")
        lines += [f"![{caption}]({path})" for caption, path in section.plots]
        lines += [""] if section.plots else []
    return "\n".join(lines)


_STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 8px;
font-size:13px;text-align:right}th{background:#f2f2f2}td:first-child{text-align:left}
dt{font-weight:600}dd{margin:0 0 .4em 1.2em}img{max-width:100%;margin:.4em 0}"""


def _inline(text: str) -> str:
    escaped = html.escape(text)
    parts = escaped.split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def to_html(title: str, content: list[Section], folder: Path) -> str:
    body = [f"<h1>{html.escape(title)}</h1>"]
    for section in content:
        body.append(f"<h2>{html.escape(section.title)}</h2>")
        body += [f"<p>{_inline(p)}</p>" for p in section.paragraphs]
        if section.facts:
            body.append("<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{_inline(v)}</dd>"
                                         for k, v in section.facts) + "</dl>")
        for header, rows in section.tables:
            body.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)
                        + "</tr>" + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>"
                                                             for c in cells) + "</tr>"
                                            for cells in rows) + "</table>")
        for caption, path in section.plots:
            data = base64.b64encode((folder / path).read_bytes()).decode()
            body.append(f'<figure><img alt="{html.escape(caption)}" '
                        f'src="data:image/png;base64,{data}"></figure>')
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n")
