"""`mfs generate`: write every contract table, the planted truth, and (optionally) defects.

Output layout:
    <out>/<table>.parquet           the raw tables (CSV with --format csv)
    <out>/_generation.json          parameters and row counts (ignored by the pipeline)
    <out>/_dirty_counts.json        with --dirty: each planted defect and its exact count
    <truth>/purchase_truth.parquet  per contact and weekly snapshot: P(order within 30 days)
    <truth>/lead_truth.parquet      per open lead and weekly snapshot: P(win within 90 days)
The truth folder is for evaluation only; nothing in the pipeline reads it.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from mfs import clock
from mfs.contract.schema import TABLES_BY_NAME
from mfs.synthetic import dirty as dirt
from mfs.synthetic import people, transactions
from mfs.synthetic.ads import AdPlan
from mfs.synthetic.calendar import MICROS_PER_DAY, Calendar
from mfs.synthetic.customers import CHUNK_SIZE, Accounts, simulate_chunk
from mfs.synthetic.leads import INDUSTRIES, simulate_leads
from mfs.synthetic.treatment import Treatment

PROFILES = ("full", "transactions")
ACCOUNT_WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
                 "Tyrell", "Cyberdyne", "Aperture", "Oceanic", "Soylent", "Massive", "Nakatomi",
                 "Wonka", "Monarch", "Gekko", "Dunder", "Prestige")
ACCOUNT_SUFFIXES = ("Corp", "GmbH", "Ltd", "Inc", "SA", "BV", "Labs", "Systems", "Partners")


@dataclass(frozen=True)
class GenerateOptions:
    out: Path
    customers: int = 1000
    days: int = 365
    seed: int = 42
    end: date = field(default_factory=clock.today)  # exclusive: data stops at its midnight
    dirty: bool = False
    format: str = "parquet"
    truth_out: Path | None = None
    treatment_export: Path | None = None  # simulate a treatment effect for this export
    uplift: float = 0.0  # the true relative uplift of that treatment
    # "full": every contract table, planted truth for both models; "transactions": a B2C
    # shop's two-table export (mfs/synthetic/transactions.py)
    profile: str = "full"

    @property
    def truth_dir(self) -> Path:
        return self.truth_out or self.out.parent / "truth"


@dataclass
class GenerateSummary:
    out: str
    truth: str
    seconds: float
    rows: dict[str, int]
    defects: list[dict[str, object]]


class _Sink:
    """Writes one table chunk by chunk, as parquet or CSV, to a temporary name."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path, self.fmt = path, fmt
        self.tmp = path.with_name(path.name + ".tmp")
        self.rows = 0
        self._writer: pq.ParquetWriter | pacsv.CSVWriter | None = None

    def write(self, table: pa.Table) -> None:
        if self._writer is None:
            if self.fmt == "parquet":
                self._writer = pq.ParquetWriter(self.tmp, table.schema, compression="zstd")
            else:
                self._writer = pacsv.CSVWriter(self.tmp, table.schema)
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self.tmp.replace(self.path)


def _accounts(rng: np.random.Generator, n: int, cal: Calendar) -> tuple[Accounts, pa.Table,
                                                                       dict[str, np.ndarray]]:
    words = people.pick(rng, ACCOUNT_WORDS, n)
    suffix = people.pick(rng, ACCOUNT_SUFFIXES, n)
    names = np.array([f"{w} {s} {i}" if i >= len(ACCOUNT_WORDS) else f"{w} {s}"
                      for i, (w, s) in enumerate(zip(words, suffix, strict=True))], dtype=object)
    domains = np.array([re.sub(r"[^a-z0-9]", "", nm.lower()) + f"{i}.example"
                        for i, nm in enumerate(names)], dtype=object)
    ids = np.array([f"ACC-{i:07d}" for i in range(n)], dtype=object)
    country = people.countries(rng, n)
    industry = people.pick(rng, INDUSTRIES, n)
    size = np.maximum(1, rng.lognormal(4.2, 1.5, size=n)).astype(np.int64)
    created = cal.start_micros - rng.integers(30, 2000, size=n) * MICROS_PER_DAY
    weights = rng.pareto(1.5, size=n) + 1.0
    table = pa.table({
        "account_id": pa.array(ids, pa.string()),
        "account_name": pa.array(names, pa.string()),
        "industry": pa.array(industry, pa.string()),
        "employee_count": pa.array(size, pa.int64()),
        "country": pa.array(country, pa.string()),
        "created_at": pa.array(created, type=TABLES_BY_NAME["crm_accounts"].column(
            "created_at").type),
    })
    extra = {"names": names, "industry": industry, "size": size, "country": country}
    return Accounts(ids, country, domains, weights / weights.sum()), table, extra


def generate(opts: GenerateOptions,
             progress: Callable[[int, int], None] | None = None) -> GenerateSummary:
    """Generate the raw tables; `progress(done, total)` is called after each chunk."""
    if opts.format not in ("parquet", "csv"):
        raise ValueError(f"--format must be parquet or csv, not {opts.format!r}")
    if opts.profile not in PROFILES:
        raise ValueError(f"--profile must be one of {PROFILES}, not {opts.profile!r}")
    if opts.profile != "full" and (opts.dirty or opts.treatment_export is not None):
        raise ValueError("--dirty and --treatment-export need the full profile")
    if opts.customers < 1 or opts.days < 35:
        raise ValueError("need at least 1 customer and 35 days (one label window plus a week)")
    started = time.perf_counter()
    cal = Calendar(opts.end, opts.days)
    now = clock.now()
    if cal.end_micros > int(now.timestamp() * 1_000_000):
        raise ValueError(f"--end {opts.end.isoformat()} is after now ({now:%Y-%m-%d %H:%M} UTC): "
                         "an export cannot hold what has not happened yet; the latest end is "
                         f"{now.date().isoformat()} (data through the day before)")
    out, truth_dir = Path(opts.out), opts.truth_dir
    for directory in (out, truth_dir):
        directory.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("*.parquet"), *out.glob("*.csv"), *out.glob("_*.json")]:
        stale.unlink()
    if opts.profile == "transactions":
        return _transactions(opts, cal, out, truth_dir, started)

    rng = np.random.default_rng(np.random.SeedSequence([opts.seed, 0]))
    accounts, account_table, account_extra = _accounts(rng, max(3, opts.customers // 16), cal)
    ads = AdPlan.create(np.random.default_rng(np.random.SeedSequence([opts.seed, 3])), cal)
    dirty_rng = np.random.default_rng(np.random.SeedSequence([opts.seed, 4]))

    def sink(name: str, fmt: str | None = None) -> _Sink:
        f = fmt or opts.format
        return _Sink(out / f"{name}.{f}", f)

    consent_fmt = "csv" if opts.dirty else opts.format
    sinks = {name: sink(name) for name in (
        "crm_contacts", "crm_orders", "web_events", "web_identifies", "ad_clicks")}
    sinks["crm_consent_events"] = sink("crm_consent_events", consent_fmt)
    truth_sink = _Sink(truth_dir / "purchase_truth.parquet", "parquet")
    defects: list[dirt.Defect] = []
    collected: dict[str, list[np.ndarray]] = {k: [] for k in (
        "ids", "emails", "b2b", "account", "created")}

    treatment = None
    if opts.treatment_export is not None:
        treatment = Treatment.from_export(opts.treatment_export, opts.uplift,
                                          datetime.fromtimestamp(cal.end_micros / 1e6, UTC))
    treatment_rng = np.random.default_rng(np.random.SeedSequence([opts.seed, 6]))

    chunks = list(range(0, opts.customers, CHUNK_SIZE))
    for c, first in enumerate(chunks):
        n = min(CHUNK_SIZE, opts.customers - first)
        chunk = simulate_chunk(c, first, n, cal, accounts, ads, opts.seed)
        contacts, orders, events = chunk.contacts, chunk.orders, chunk.events
        consent, clicks = chunk.consent, chunk.ad_clicks
        if treatment is not None:
            orders = treatment.apply(orders, chunk.contact_ids, treatment_rng, c)
        if opts.dirty:
            orders = dirt.orders_item_count_as_text(orders)
            if c == 0:
                contacts, found = dirt.contacts(contacts, dirty_rng, cal)
                defects += found
                orders, found = dirt.orders(orders, dirty_rng)
                defects += found
                events, found = dirt.events(events, dirty_rng, cal)
                defects += found
                clicks, found = dirt.ad_clicks(clicks, dirty_rng)
                defects += found
                consent, found = dirt.consent_naive_timestamps(consent, dirty_rng)
                defects += found
            else:
                consent = _consent_as_text(consent)
        sinks["crm_contacts"].write(contacts)
        sinks["crm_orders"].write(orders)
        sinks["web_events"].write(events)
        sinks["web_identifies"].write(chunk.identifies)
        sinks["ad_clicks"].write(clicks)
        sinks["crm_consent_events"].write(consent)
        truth_sink.write(chunk.truth)
        collected["ids"].append(chunk.contact_ids)
        collected["emails"].append(np.asarray(chunk.emails, dtype=object))
        collected["b2b"].append(chunk.is_b2b)
        collected["account"].append(chunk.account_idx)
        collected["created"].append(chunk.created_micros)
        if progress:
            progress(c + 1, len(chunks) + 1)

    lead_out = simulate_leads(
        cal, opts.seed,
        np.concatenate(collected["ids"]), np.concatenate(collected["emails"]),
        np.concatenate(collected["b2b"]), np.concatenate(collected["created"]),
        accounts.ids, account_extra["names"], account_extra["industry"], account_extra["size"],
        account_extra["country"], np.concatenate(collected["account"]),
    )
    sinks["web_events"].write(lead_out.events)  # defects are planted in chunk 0 only
    sinks["web_identifies"].write(lead_out.identifies)
    for s in (*sinks.values(), truth_sink):
        s.close()

    singles = {
        "crm_accounts": account_table,
        "crm_leads": lead_out.leads,
        "crm_opportunities": lead_out.opportunities,
        "ad_campaigns": ads.campaign_table(),
        "ad_daily_performance": ads.performance_table(
            np.random.default_rng(np.random.SeedSequence([opts.seed, 5]))),
    }
    rows = {name: s.rows for name, s in sinks.items()}
    for name, table in singles.items():
        one = sink(name)
        one.write(table)
        one.close()
        rows[name] = table.num_rows
    lead_truth = _Sink(truth_dir / "lead_truth.parquet", "parquet")
    lead_truth.write(lead_out.truth)
    lead_truth.close()
    if progress:
        progress(len(chunks) + 1, len(chunks) + 1)

    summary = GenerateSummary(
        out=str(out), truth=str(truth_dir), seconds=round(time.perf_counter() - started, 2),
        rows=dict(sorted(rows.items())), defects=[d.as_dict() for d in defects],
    )
    params = {
        "customers": opts.customers, "days": opts.days, "seed": opts.seed,
        "end": opts.end.isoformat(), "start": cal.start.isoformat(), "dirty": opts.dirty,
        "format": opts.format, "rows": summary.rows,
    }
    (out / "_generation.json").write_text(json.dumps(params, indent=2) + "\n")
    if opts.dirty:
        (out / "_dirty_counts.json").write_text(json.dumps(summary.defects, indent=2) + "\n")
    shutil.copyfile(out / "_generation.json", truth_dir / "_generation.json")
    if treatment is not None:
        (truth_dir / "treatment_effect.json").write_text(
            json.dumps(treatment.truth(), indent=2) + "\n")
    return summary


def _transactions(opts: GenerateOptions, cal: Calendar, out: Path, truth_dir: Path,
                  started: float) -> GenerateSummary:
    """The two-table profile: contacts and orders with their required columns, and truth."""
    tables = transactions.simulate(cal, opts.customers, opts.seed)
    rows = {}
    for name in ("crm_contacts", "crm_orders"):
        one = _Sink(out / f"{name}.{opts.format}", opts.format)
        one.write(tables[name])
        one.close()
        rows[name] = tables[name].num_rows
    truth = _Sink(truth_dir / "purchase_truth.parquet", "parquet")
    truth.write(tables["purchase_truth"])
    truth.close()
    params = {"profile": opts.profile, "customers": opts.customers, "days": opts.days,
              "seed": opts.seed, "end": opts.end.isoformat(), "start": cal.start.isoformat(),
              "format": opts.format, "rows": rows}
    for folder in (out, truth_dir):
        (folder / "_generation.json").write_text(json.dumps(params, indent=2) + "\n")
    return GenerateSummary(out=str(out), truth=str(truth_dir),
                           seconds=round(time.perf_counter() - started, 2),
                           rows=dict(sorted(rows.items())), defects=[])


def _consent_as_text(table: pa.Table) -> pa.Table:
    """Later chunks of the dirty CSV keep their zone designator; only chunk 0 carries defects."""
    idx = table.schema.get_field_index("occurred_at")
    text = pc.strftime(table.column(idx), format="%Y-%m-%dT%H:%M:%SZ")
    return table.set_column(idx, "occurred_at", text)
