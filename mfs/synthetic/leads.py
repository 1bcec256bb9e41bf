"""B2B leads, their opportunities and their website visits, with the planted conversion truth.

Leads come from existing B2B contacts (a contact downloads a whitepaper) and from people the
CRM has never seen (a trade-show badge scan, a partner referral). Each lead's latent interest
drives both its chance to win and how often it visits the site and the pricing page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from mfs.contract.schema import TIMESTAMP
from mfs.synthetic import people, truth
from mfs.synthetic.calendar import MICROS_PER_DAY, Calendar
from mfs.synthetic.customers import SECOND, serial_ids

SOURCES = tuple(truth.LEAD_SOURCE_COEF)
SOURCE_WEIGHTS = np.array([0.30, 0.20, 0.12, 0.08, 0.08, 0.14, 0.08])
INDUSTRIES = tuple(truth.LEAD_INDUSTRY_COEF)


@dataclass
class LeadOutput:
    leads: pa.Table
    opportunities: pa.Table
    events: pa.Table
    identifies: pa.Table
    truth: pa.Table


def simulate_leads(
    cal: Calendar, seed: int, contact_ids: np.ndarray, contact_emails: np.ndarray,
    contact_b2b: np.ndarray, contact_created: np.ndarray, account_ids: np.ndarray,
    account_names: np.ndarray, account_industry: np.ndarray, account_size: np.ndarray,
    account_country: np.ndarray, contact_account: np.ndarray,
) -> LeadOutput:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    b2b = np.flatnonzero(contact_b2b)
    from_contacts = b2b[rng.random(b2b.size) < 0.35]
    n_new = int(b2b.size * 0.5)
    n = from_contacts.size + n_new
    is_known = np.arange(n) < from_contacts.size
    contact = np.full(n, None, dtype=object)
    contact[: from_contacts.size] = contact_ids[from_contacts]
    acc = np.full(n, -1, dtype=np.int64)
    acc[: from_contacts.size] = contact_account[from_contacts]
    new_acc = rng.integers(0, account_ids.size, size=n)  # name pool for unknown companies

    created_day = rng.integers(0, cal.days, size=n)
    created = cal.day_micros(created_day) + rng.integers(8 * 3600, 19 * 3600, size=n) * SECOND
    known_created = contact_created[from_contacts]
    created[: from_contacts.size] = np.maximum(created[: from_contacts.size],
                                               known_created + 3600 * SECOND)
    created = np.minimum(created, cal.end_micros - 3600 * SECOND)

    source = people.pick(rng, SOURCES, n, SOURCE_WEIGHTS)
    seniority, titles = people.seniority_titles(rng, n)
    industry = np.where(is_known, account_industry[np.maximum(acc, 0)],
                        people.pick(rng, INDUSTRIES, n))
    employees = np.where(is_known, account_size[np.maximum(acc, 0)],
                         np.maximum(1, rng.lognormal(4.0, 1.6, size=n)).astype(np.int64))
    country = np.where(is_known, account_country[np.maximum(acc, 0)], people.countries(rng, n))
    company = np.where(is_known, account_names[np.maximum(acc, 0)],
                       np.char.add(account_names[new_acc].astype(str), " Group").astype(object))
    first = people.pick(rng, people.FIRST_NAMES, n)
    last = people.pick(rng, people.LAST_NAMES, n)
    emails = np.empty(n, dtype=object)
    emails[: from_contacts.size] = contact_emails[from_contacts]
    for i in range(from_contacts.size, n):
        local = people.email_local(first[i], last[i], rng, 90_000_000 + i)
        domain = company[i].lower().replace(" ", "").replace("'", "")
        domain = people.ascii_fold(domain) + ".example"
        emails[i] = people.messy_email(local, domain, rng, first[i], last[i])

    interest = rng.normal(0.0, truth.LEAD_INTEREST_SD, size=n)
    p_win = truth.sigmoid(truth.lead_win_logit(source, seniority, employees.astype(float),
                                               industry, interest))
    wins = rng.random(n) < p_win
    delay_days = rng.gamma(truth.LEAD_DELAY_SHAPE, truth.LEAD_DELAY_SCALE_DAYS, size=n)
    won_at = created + (delay_days * MICROS_PER_DAY).astype(np.int64)
    wins & (won_at < cal.end_micros)
    converted_at = created + (0.5 * delay_days * MICROS_PER_DAY).astype(np.int64)
    lost_convert = ~wins & (rng.random(n) < 0.3)
    lost_at = created + (rng.gamma(2.0, 25.0, size=n) * MICROS_PER_DAY).astype(np.int64)
    lost_convert_at = created + ((lost_at - created) * 0.4).astype(np.int64)
    is_converted = (wins & (converted_at < cal.end_micros)) | (
        lost_convert & (lost_convert_at < cal.end_micros))
    conv_time = np.where(wins, converted_at, lost_convert_at)
    status_other = people.pick(rng, ("open", "working", "nurturing", "unqualified"), n,
                               np.array([0.2, 0.25, 0.25, 0.3]))
    status = np.where(is_converted, "converted", status_other)
    opp_idx = np.cumsum(is_converted) - 1
    opp_ids = np.where(is_converted,
                       np.char.add("OP-", opp_idx.astype(str)).astype(object), None)
    lead_ids = serial_ids("L-", n).to_numpy(zero_copy_only=False)

    leads = pa.table({
        "lead_id": pa.array(lead_ids, type=pa.string()),
        "contact_id": pa.array(contact, type=pa.string()),
        "email": pa.array(emails, type=pa.string()),
        "lead_source": pa.array(source, type=pa.string()),
        "company_name": pa.array(company, type=pa.string()),
        "job_title": pa.array(np.asarray(titles, dtype=object), type=pa.string()),
        "industry": pa.array(industry, type=pa.string()),
        "employee_count": pa.array(employees.astype(np.int64), type=pa.int64()),
        "country": pa.array(country, type=pa.string()),
        "status": pa.array(status, type=pa.string()),
        "created_at": pa.array(created, type=TIMESTAMP),
        "converted_at": pa.array(conv_time, type=TIMESTAMP, mask=~is_converted),
        "opportunity_id": pa.array(opp_ids, type=pa.string()),
    })

    conv = np.flatnonzero(is_converted)
    closed_at = np.where(wins, won_at, lost_at)[conv]
    closed = closed_at < cal.end_micros
    stage_open = people.pick(rng, ("qualification", "proposal", "negotiation"), conv.size)
    stage = np.where(closed, np.where(wins[conv], "closed_won", "closed_lost"), stage_open)
    amount = np.round(rng.lognormal(9.3, 0.8, size=conv.size), 2)
    opportunities = pa.table({
        "opportunity_id": pa.array(opp_ids[conv], type=pa.string()),
        "account_id": pa.array(
            np.where(is_known[conv], account_ids[np.maximum(acc[conv], 0)], None),
            type=pa.string()),
        "lead_id": pa.array(lead_ids[conv], type=pa.string()),
        "stage": pa.array(stage, type=pa.string()),
        "amount": pa.array(amount, type=pa.float64()),
        "currency": pa.array(np.full(conv.size, "USD", dtype=object), type=pa.string()),
        "created_at": pa.array(conv_time[conv], type=TIMESTAMP),
        "closed_at": pa.array(closed_at, type=TIMESTAMP, mask=~closed),
        "is_won": pa.array(wins[conv] & closed, type=pa.bool_()),
    })

    events, identifies = _lead_visits(rng, cal, n, lead_ids, contact, emails, created, won_at,
                                      wins, interest, country)
    truth_table = _lead_truth(cal, lead_ids, created, won_at, wins, p_win)
    return LeadOutput(leads, opportunities, events, identifies, truth_table)


def _lead_visits(rng: np.random.Generator, cal: Calendar, n: int, lead_ids: np.ndarray,
                 contact: np.ndarray, emails: np.ndarray, created: np.ndarray,
                 won_at: np.ndarray, wins: np.ndarray, interest: np.ndarray,
                 country: np.ndarray) -> tuple[pa.Table, pa.Table]:
    """Work-laptop sessions around each lead: before the form (anonymous) and after it."""
    window_start = np.maximum(created - 21 * MICROS_PER_DAY, cal.start_micros)
    window_end = np.minimum(np.where(wins, won_at, cal.end_micros), cal.end_micros)
    span_days = np.maximum(window_end - window_start, 0) / MICROS_PER_DAY
    rate = 0.06 * np.exp(0.9 * interest)
    k = rng.poisson(rate * span_days)
    who = np.repeat(np.arange(n), k)
    start = window_start[who] + (rng.random(who.size) * (window_end - window_start)[who]).astype(
        np.int64)
    u = rng.random(who.size)
    p_pricing = truth.sigmoid(interest[who] - 0.5) * 0.6
    name = np.where(u < p_pricing, "pricing_view",
                    np.where(u < p_pricing + 0.05, "form_submit", "page_view"))
    path = np.where(name == "pricing_view", "/pricing",
                    np.where(name == "form_submit", "/demo-request", "/solutions"))
    # The form that created the lead.
    all_who = np.concatenate([who, np.arange(n)])
    all_time = np.concatenate([start, created])
    all_name = np.concatenate([name.astype(object), np.full(n, "form_submit", dtype=object)])
    all_path = np.concatenate([path.astype(object), np.full(n, "/contact-sales", dtype=object)])
    anon = np.array([f"{(i * 104729) % 10**10:010d}.{1_700_000_000 + i}" for i in range(n)],
                    dtype=object)
    known = all_time >= created[all_who]
    user = np.where(known, contact[all_who], None)
    order = np.argsort(all_time, kind="stable")
    m = order.size
    none = pa.nulls(m, type=pa.string())
    events = pa.table({
        "event_id": serial_ids("ev-lead-", m),
        "anonymous_id": pa.array(anon[all_who][order], type=pa.string()),
        "user_id": pa.array(user[order], type=pa.string()),
        "event_name": pa.array(all_name[order], type=pa.string()),
        "page_path": pa.array(all_path[order], type=pa.string()),
        "utm_source": none, "utm_medium": none, "utm_campaign": none, "click_id": none,
        "device": pa.array(np.full(m, "desktop", dtype=object), type=pa.string()),
        "country": pa.array(country[all_who][order], type=pa.string()),
        "occurred_at": pa.array(all_time[order], type=TIMESTAMP),
    })
    id_order = np.argsort(created, kind="stable")
    identifies = pa.table({
        "identify_id": serial_ids("id-lead-", n),
        "anonymous_id": pa.array(anon[id_order], type=pa.string()),
        "user_id": pa.array(contact[id_order], type=pa.string()),
        "email": pa.array(emails[id_order], type=pa.string()),
        "occurred_at": pa.array(created[id_order], type=TIMESTAMP),
    })
    return events, identifies


def _lead_truth(cal: Calendar, lead_ids: np.ndarray, created: np.ndarray, won_at: np.ndarray,
                wins: np.ndarray, p_win: np.ndarray) -> pa.Table:
    ids, snaps, probs = [], [], []
    for t in cal.snapshot_days():
        at = int(cal.day_micros(t))
        open_ = (created <= at) & ~(wins & (won_at <= at))
        age = (at - created[open_]) / MICROS_PER_DAY
        ids.append(lead_ids[open_])
        snaps.append(np.full(int(open_.sum()), at, dtype=np.int64))
        probs.append(truth.lead_probability(p_win[open_], age))
    return pa.table({
        "lead_id": pa.array(np.concatenate(ids), type=pa.string()),
        "snapshot_at": pa.array(np.concatenate(snaps), type=TIMESTAMP),
        "p_convert_90d": pa.array(np.concatenate(probs), type=pa.float64()),
    })
