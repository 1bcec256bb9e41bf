"""Uplift against the holdout: did the people an audience export reached convert more than the
control group it kept back?

Every export with a holdout records its treatment (`members.parquet`) and control
(`control.parquet`) groups (audiences/export.py). Once the model's label window after the
export has closed in the warehouse's data, each group's conversion rate is the share of its
people who converted in [exported_at, exported_at + window): a customer's order
(`int_orders_net_of_refunds`, any status, as in `purchase_labels`) or a lead's won opportunity
(`int_lead_journeys.won_at`, as in `lead_labels`). The windows are the dbt vars the label marts
use (`purchase_label_days`, `lead_label_days`), read from dbt_project.yml.

Relative uplift = (CR_treatment - CR_control) / CR_control, i.e. the risk ratio minus one.
Its confidence interval is the Katz log interval of the risk ratio, and the test is the Wald
test of log RR = 0, so the interval and the p-value always agree. With no conversions in a
group the ratio is undefined: Fisher's exact test gives the p-value and there is no interval.
Verdicts: `uplift` (significantly above control), `negative` (significantly below),
`no_uplift` (not distinguishable from control: flagged, as is `negative`), `window_open`
(not measurable yet), `no_holdout`.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from scipy import stats

from audiences.config import LEAD_MODELS
from mfs import paths
from mfs.build.dbt_vars import dbt_var
from mfs.parquet import read_frame

ALPHA = 0.05
# Conversions per model: the events its label mart counts, as (entity_id, converted_at).
OUTCOMES = {
    "purchase_propensity": ("purchase_label_days",
                            "select customer_id as entity_id, ordered_at as converted_at "
                            "from int_orders_net_of_refunds"),
    "lead_scoring": ("lead_label_days",
                     "select lead_id as entity_id, won_at as converted_at "
                     "from int_lead_journeys where won_at is not null"),
}
FLAGGED = ("no_uplift", "negative")


@dataclass
class Comparison:
    treated: int
    treated_conversions: int
    control: int
    control_conversions: int
    cr_treated: float | None = None
    cr_control: float | None = None
    relative_uplift: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    test: str | None = None
    verdict: str = "no_holdout"


def compare(x_t: int, n_t: int, x_c: int, n_c: int, alpha: float = ALPHA) -> Comparison:
    """Treated vs control conversion: relative uplift, its (1 - alpha) interval and p-value."""
    out = Comparison(n_t, x_t, n_c, x_c)
    if n_t == 0 or n_c == 0:
        return out
    out.cr_treated, out.cr_control = x_t / n_t, x_c / n_c
    if x_t == 0 or x_c == 0:
        out.test = "fisher_exact"
        out.p_value = float(stats.fisher_exact([[x_t, n_t - x_t], [x_c, n_c - x_c]])[1])
        if x_c > 0:
            out.relative_uplift = -1.0
    else:
        ratio = out.cr_treated / out.cr_control
        se = math.sqrt(1 / x_t - 1 / n_t + 1 / x_c - 1 / n_c)
        z = stats.norm.ppf(1 - alpha / 2)
        out.test = "wald_log_risk_ratio"
        out.relative_uplift = ratio - 1
        out.ci_low = math.exp(math.log(ratio) - z * se) - 1
        out.ci_high = math.exp(math.log(ratio) + z * se) - 1
        out.p_value = float(2 * stats.norm.sf(abs(math.log(ratio)) / se)) if se > 0 else 0.0
    significant = out.p_value is not None and out.p_value < alpha
    if significant and out.cr_treated > out.cr_control:
        out.verdict = "uplift"
    elif significant:
        out.verdict = "negative"
    else:
        out.verdict = "no_uplift"
    return out


@dataclass
class ExportUplift:
    audience: str
    export_id: str
    model: str
    model_version: Any
    exported_at: str
    window_days: int
    window_ends_at: str
    data_end_at: str | None
    comparison: Comparison

    @property
    def flagged(self) -> bool:
        return self.comparison.verdict in FLAGGED


@dataclass
class UpliftReport:
    alpha: float
    exports: list[ExportUplift] = field(default_factory=list)

    @property
    def flagged(self) -> list[ExportUplift]:
        return [e for e in self.exports if e.flagged]

    def as_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "flagged": [f"{e.audience}/{e.export_id}"
                                                 for e in self.flagged],
                "exports": [{**asdict(e), "flagged": e.flagged} for e in self.exports]}


def export_folders(root: Path, audience: str | None = None) -> list[Path]:
    if not root.is_dir():
        return []
    audiences = [root / audience] if audience else sorted(p for p in root.iterdir()
                                                           if p.is_dir())
    return [f for a in audiences if a.is_dir() for f in sorted(a.iterdir())
            if f.is_dir() and not f.name.startswith(".") and (f / "manifest.json").exists()]


def measure_export(con: duckdb.DuckDBPyConnection, folder: Path, data_end: datetime | None,
                   alpha: float = ALPHA) -> ExportUplift:
    manifest = json.loads((folder / "manifest.json").read_text())
    model = manifest["model"]
    window_var, outcome_sql = OUTCOMES[model]
    # The horizon of the scores exported; exports from before manifests recorded it: the var.
    window = int(manifest.get("horizon_days") or dbt_var(window_var))
    start = datetime.fromisoformat(manifest["created_at"])
    end = start + timedelta(days=window)
    treated = read_frame(folder / "members.parquet", columns=["entity_id"])["entity_id"]
    control = read_frame(folder / "control.parquet", columns=["entity_id"])["entity_id"]
    result = ExportUplift(manifest["audience"], manifest["export_id"], model,
                          manifest["model_version"], start.isoformat(), window, end.isoformat(),
                          data_end.isoformat() if data_end else None,
                          Comparison(len(treated), 0, len(control), 0))
    if control.empty:
        return result
    if data_end is None or data_end < end:
        result.comparison.verdict = "window_open"
        return result
    converted = {r[0] for r in con.execute(
        f"select distinct entity_id from ({outcome_sql}) where converted_at >= ? "
        "and converted_at < ? and entity_id in (select unnest(?))",
        [start, end, [*treated, *control]]).fetchall()}
    result.comparison = compare(int(treated.isin(converted).sum()), len(treated),
                                int(control.isin(converted).sum()), len(control), alpha)
    return result


def uplift_report(exports_root: Path, audience: str | None = None,
                  alpha: float = ALPHA) -> UpliftReport:
    """Every export's uplift (of one audience, or all), oldest first."""
    report = UpliftReport(alpha)
    folders = export_folders(exports_root, audience)
    if not folders:
        return report
    warehouse = paths.warehouse_path()
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse}: no warehouse; run `mfs build`")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        data_end = con.execute("select max(snapshot_at) from int_snapshot_calendar").fetchone()[0]
        for folder in folders:
            report.exports.append(measure_export(con, folder, data_end, alpha))
    return report


def entity_kind(model: str) -> str:
    return "leads" if model in LEAD_MODELS else "customers"


def write_uplift(report: UpliftReport, folder: Path) -> dict[str, Path]:
    """uplift.json and a Markdown table beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"json": folder / "uplift.json", "md": folder / "uplift.md"}
    files["json"].write_text(json.dumps(report.as_dict(), indent=2, default=str) + "\n")
    lines = ["# Uplift against the holdout", "",
             f"Relative uplift = (CR treated - CR control) / CR control, "
             f"{100 * (1 - report.alpha):.0f}% interval; flagged: no_uplift, negative.", "",
             "| audience | export | model | treated | control | CR treated | CR control "
             "| uplift | interval | p | verdict |", "|" + "---|" * 11]
    for e in report.exports:
        c = e.comparison
        lines.append(
            f"| {e.audience} | {e.export_id} | {e.model} v{e.model_version} | "
            f"{c.treated_conversions}/{c.treated} {entity_kind(e.model)} | "
            f"{c.control_conversions}/{c.control} | {percent(c.cr_treated)} | "
            f"{percent(c.cr_control)} | {percent(c.relative_uplift)} | "
            f"{interval(c.ci_low, c.ci_high)} | {p_value(c.p_value)} | {c.verdict} |")
    files["md"].write_text("\n".join(lines) + "\n")
    return files


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:+.1f}%"


def interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "-"
    return f"[{percent(low)}, {percent(high)}]"


def p_value(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"
