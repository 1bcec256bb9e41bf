"""The `transactions` profile: a B2C shop's export as a company actually has it, for proving
the pipeline on more than our own full generator.

Two tables only (contacts and orders, each with only its required columns: no consent log, web
analytics, ads, leads or accounts); customers acquired in a few bursts early on and then hardly
any more, so the cohort ages; long histories; heavy-tailed spend. Purchases follow the
buy-till-you-die story that the classical BG/NBD model assumes (a Poisson rate while alive, a
chance to drop out after each purchase), with rates that depend on the acquisition burst and
a seasonal peak, so BG/NBD is a strong baseline here but not the whole truth.

Truth (evaluation only): per contact and weekly snapshot, P(an order within 30 days) given the
simulated rate and whether the customer is still alive.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from mfs.contract.schema import TABLES_BY_NAME
from mfs.synthetic.calendar import MICROS_PER_DAY, Calendar

TIMESTAMP = TABLES_BY_NAME["crm_orders"].column("ordered_at").type
BURSTS = 4  # acquisition campaigns in the first 40% of the period
TRUTH_HORIZON_DAYS = 30


def simulate(cal: Calendar, customers: int, seed: int) -> dict[str, pa.Table]:
    """crm_contacts, crm_orders and the truth table for `customers` over the calendar."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    days = cal.days
    centres = np.sort(rng.uniform(0.02, 0.4, size=BURSTS)) * days
    burst = rng.integers(0, BURSTS + 1, size=customers)  # BURSTS = the trickle after them
    born = np.where(burst < BURSTS,
                    rng.normal(centres[np.minimum(burst, BURSTS - 1)], days * 0.015),
                    rng.uniform(0, days, size=customers))
    born = np.clip(born, 0, days - 1)
    born_us = cal.start_micros + (born * MICROS_PER_DAY).astype(np.int64)
    # Buying rate per day ~ Gamma, the later bursts' customers a little less keen; dropout
    # after each purchase ~ Beta.
    rate = rng.gamma(0.7, 1 / 55, size=customers) * np.where(burst % 2 == 0, 1.0, 0.7)
    dropout = rng.beta(1.1, 5.0, size=customers)
    spend_level = rng.pareto(2.5, size=customers) + 1.0

    who, when = [], []
    died_at = np.full(customers, np.inf)
    for i in range(customers):
        now, first = born[i], True
        while True:
            # most customers sign up with their first order
            gap = rng.exponential(2.0) if first and rng.random() < 0.7 else \
                rng.exponential(1 / _seasonal(rate[i], now, days))
            now += gap
            if now >= days:
                break
            who.append(i)
            when.append(now)
            first = False
            if rng.random() < dropout[i]:
                died_at[i] = now
                break
    who_a, when_a = np.asarray(who, dtype=np.int64), np.asarray(when)
    order = np.argsort(when_a, kind="stable")
    who_a, when_a = who_a[order], when_a[order]
    amounts = np.round(rng.lognormal(3.4, 0.9, size=who_a.size) * spend_level[who_a], 2) + 0.01

    ids = np.array([f"T{i:08d}" for i in range(customers)], dtype=object)
    updated = np.minimum(born_us + rng.integers(0, 30, size=customers) * MICROS_PER_DAY,
                         cal.end_micros - 1_000_000)
    contacts = pa.table({
        "contact_id": pa.array(ids, pa.string()),
        "created_at": pa.array(born_us, TIMESTAMP),
        "updated_at": pa.array(updated, TIMESTAMP),
    })
    orders = pa.table({
        "order_id": pa.array([f"TO{i:09d}" for i in range(who_a.size)], pa.string()),
        "contact_id": pa.array(ids[who_a], pa.string()),
        "ordered_at": pa.array(cal.start_micros + (when_a * MICROS_PER_DAY).astype(np.int64),
                               TIMESTAMP),
        "amount": pa.array(amounts, pa.float64()),
        "currency": pa.array(["USD"] * who_a.size, pa.string()),
    })
    return {"crm_contacts": contacts, "crm_orders": orders,
            "purchase_truth": _truth(cal, ids, born, rate, died_at)}


def _seasonal(rate: float, day: float, days: int) -> float:
    """A late-autumn peak (about +60% around day 330 of each year of the calendar)."""
    return rate * (1.0 + 0.6 * np.exp(-(((day % 365) - 330) / 20) ** 2))


def _truth(cal: Calendar, ids: np.ndarray, born: np.ndarray, rate: np.ndarray,
           died_at: np.ndarray) -> pa.Table:
    """P(an order in the 30 days after each weekly snapshot) for the contacts born by then:
    0 once dropped out, else 1 - exp(-rate x 30) (no purchase, no chance to drop out)."""
    rows_id, rows_at, rows_p = [], [], []
    for day in cal.snapshot_days():
        known = born < day
        alive = known & (died_at >= day)
        # the rate's seasonal swing averaged over the window
        window = np.arange(day, day + TRUTH_HORIZON_DAYS) + 0.5
        season = float(np.mean([_seasonal(1.0, d, cal.days) for d in window]))
        p = np.where(alive[known], 1 - np.exp(-rate[known] * season * TRUTH_HORIZON_DAYS), 0.0)
        rows_id.append(ids[known])
        rows_at.append(np.full(int(known.sum()), int(cal.day_micros(day))))
        rows_p.append(p)
    return pa.table({
        "contact_id": pa.array(np.concatenate(rows_id), pa.string()),
        "snapshot_at": pa.array(np.concatenate(rows_at), TIMESTAMP),
        "p_purchase_30d": pa.array(np.concatenate(rows_p), pa.float64()),
    })
