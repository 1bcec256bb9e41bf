"""Simulate one chunk of people: contacts, consent, orders, web behaviour, ad clicks and truth.

Everything is vectorised over the people of a chunk; the only Python loop runs over days
(intent and orders depend on yesterday). Chunks are independent, each seeded from
(seed, chunk index), so memory stays bounded and output is byte-identical for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mfs.contract.schema import TIMESTAMP
from mfs.synthetic import people, truth
from mfs.synthetic.ads import AdPlan
from mfs.synthetic.calendar import MICROS_PER_DAY, Calendar

CHUNK_SIZE = 50_000
SECOND = 1_000_000
HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 9, 8, 8, 8, 8, 9, 10, 10, 8, 5, 3], dtype=float
)
HOUR_WEIGHTS /= HOUR_WEIGHTS.sum()
PAGES = np.array(["/", "/products", "/products/shoes", "/products/bags", "/products/jackets",
                  "/blog/how-to-choose", "/sale", "/about", "/cart", "/account"], dtype=object)
PRODUCT_PAGES = np.array([f"/products/item-{i:03d}" for i in range(60)], dtype=object)


_EVENT_VOCAB = ("page_view", "product_view", "add_to_cart", "begin_checkout", "purchase",
                "pricing_view")
_EV = {name: i for i, name in enumerate(_EVENT_VOCAB)}
_EVENT_NAMES = pa.array(_EVENT_VOCAB, pa.string())
_PAGE_VOCAB = (*PAGES.tolist(), *PRODUCT_PAGES.tolist(), "/pricing", "/checkout",
               "/checkout/complete")
_PATH = {p: i for i, p in enumerate(_PAGE_VOCAB)}
_PAGE_PATHS = pa.array(_PAGE_VOCAB, pa.string())
# utm_source / utm_medium by platform index (google_ads, meta, linkedin), then the newsletter.
_NEWSLETTER = 3
_UTM_SOURCES = pa.array(["google", "facebook", "linkedin", "newsletter"], pa.string())
_UTM_MEDIUMS = pa.array(["cpc", "paid_social", "paid_social", "email"], pa.string())


def _take(values: pa.Array, indices: np.ndarray) -> pa.Array:
    """values[indices] with -1 meaning null: one vectorised gather instead of Python objects."""
    idx = pa.array(indices.astype(np.int64), mask=indices < 0)
    return pc.take(values, idx)


@dataclass(frozen=True)
class Accounts:
    """B2B accounts shared by all chunks (contacts of one account can land in any chunk)."""

    ids: np.ndarray
    country: np.ndarray
    domain: np.ndarray
    weights: np.ndarray


@dataclass
class ChunkOutput:
    contacts: pa.Table
    consent: pa.Table
    orders: pa.Table
    events: pa.Table
    identifies: pa.Table
    ad_clicks: pa.Table
    truth: pa.Table
    # (person index within chunk, contact id, email, b2b flag) for leads to reuse
    contact_ids: np.ndarray
    emails: list[str]
    is_b2b: np.ndarray
    account_idx: np.ndarray
    created_micros: np.ndarray


def _ts(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64), type=TIMESTAMP)


def _ts_nullable(values: np.ndarray, mask: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64), type=TIMESTAMP, mask=mask)


def _strings(values: np.ndarray | list[str], mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, type=pa.string(), mask=mask)


def serial_ids(prefix: str, count: int) -> pa.Array:
    """`prefix0`, `prefix1`, ...: built in Arrow, because Python f-strings for 50M ids are slow."""
    numbers = pa.array(np.arange(count, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), numbers, "")


def simulate_chunk(
    chunk: int, first: int, n: int, cal: Calendar, accounts: Accounts, ads: AdPlan, seed: int,
) -> ChunkOutput:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1, chunk]))
    gidx = np.arange(first, first + n)
    contact_ids = np.array([f"C{g:08d}" for g in gidx.tolist()], dtype=object)

    # --- who they are -------------------------------------------------------------------
    is_b2b = rng.random(n) < 0.25
    account_idx = np.where(
        is_b2b, rng.choice(len(accounts.ids), size=n, p=accounts.weights), -1
    )
    country = people.countries(rng, n)
    country = np.where(is_b2b, accounts.country[np.maximum(account_idx, 0)], country)
    # 40% already existed when the export window starts; the rest sign up along the way.
    preexisting = rng.random(n) < 0.4
    created_day = np.where(
        preexisting, -rng.integers(1, 1100, size=n), rng.integers(0, cal.days, size=n)
    )
    created_micros = cal.day_micros(created_day) + rng.integers(0, MICROS_PER_DAY, size=n)
    activity = rng.lognormal(mean=-0.32, sigma=0.8, size=n)  # mean 1, heavy tail
    noise = rng.normal(0.0, truth.PERSON_NOISE_SD, size=n)

    # --- the daily simulation -------------------------------------------------------------
    season_days = cal.season_by_day(extra_days=truth.LABEL_WINDOW_DAYS)
    web_season = 1.0 + 0.5 * (season_days - season_days.mean())
    state = rng.choice(truth.N_STATES, size=n, p=truth.INITIAL_STATE)
    orders = np.zeros(n, dtype=np.int64)
    last_order = np.full(n, -1, dtype=np.int64)
    cum_transitions = truth.TRANSITIONS.cumsum(axis=1)
    snapshot_days = set(cal.snapshot_days())
    sess_person: list[np.ndarray] = []
    sess_day: list[np.ndarray] = []
    sess_state: list[np.ndarray] = []
    buy_person: list[np.ndarray] = []
    buy_day: list[np.ndarray] = []
    truth_rows: list[tuple[int, np.ndarray, np.ndarray]] = []
    web_from = created_day - 14  # people browse anonymously before they sign up
    for d in range(cal.days):
        u = rng.random(n)
        state = (u[:, None] > cum_transitions[state]).sum(axis=1)
        lam = truth.SESSION_RATE[state] * activity * web_season[d]
        k = rng.poisson(lam) * (d >= web_from)
        hit = np.flatnonzero(k)
        if hit.size:
            reps = k[hit]
            sess_person.append(np.repeat(hit, reps))
            sess_day.append(np.full(int(reps.sum()), d))
            sess_state.append(np.repeat(state[hit], reps))
        since = np.where(last_order >= 0, d - last_order, 0)
        hazard = truth.purchase_hazard(state, orders, since, is_b2b, noise, season_days[d])
        buy = (rng.random(n) < hazard) & (d >= created_day)
        if buy.any():
            who = np.flatnonzero(buy)
            buy_person.append(who)
            buy_day.append(np.full(who.size, d))
            orders[who] += 1
            last_order[who] = d
            reset = who[rng.random(who.size) < truth.RESET_TO_DORMANT_AFTER_ORDER]
            state[reset] = truth.DORMANT
        if d + 1 in snapshot_days:
            t = d + 1
            exists = np.flatnonzero(created_day < t)
            p = truth.purchase_probability(
                state[exists], orders[exists], last_order[exists], is_b2b[exists],
                noise[exists], t, season_days,
            )
            truth_rows.append((t, exists, p))

    truth_table = _truth_table(cal, contact_ids, truth_rows)
    s_person = np.concatenate(sess_person) if sess_person else np.zeros(0, np.int64)
    s_day = np.concatenate(sess_day) if sess_day else np.zeros(0, np.int64)
    s_state = np.concatenate(sess_state) if sess_state else np.zeros(0, np.int64)
    b_person = np.concatenate(buy_person) if buy_person else np.zeros(0, np.int64)
    b_day = np.concatenate(buy_day) if buy_day else np.zeros(0, np.int64)

    # --- PII and the contact table ----------------------------------------------------------
    first_names = people.pick(rng, people.FIRST_NAMES, n)
    last_names = people.pick(rng, people.LAST_NAMES, n)
    cities, regions, postcodes = people.places(rng, country)
    emails: list[str] = []
    phones: list[str | None] = []
    for i in range(n):
        local = people.email_local(first_names[i], last_names[i], rng, int(gidx[i]))
        if is_b2b[i]:
            domain = accounts.domain[account_idx[i]]
        else:
            domain = str(rng.choice(people.CONSUMER_DOMAINS[country[i]]))
        emails.append(people.messy_email(local, domain, rng, first_names[i], last_names[i]))
        phones.append(people.phone(rng, country[i]) if rng.random() < 0.7 else None)
    _, titles = people.seniority_titles(rng, n)
    job_titles = np.where(is_b2b, np.asarray(titles, dtype=object), None)
    order_counts = np.bincount(b_person, minlength=n)
    stage = np.where(
        order_counts >= 5, "evangelist",
        np.where(order_counts > 0, "customer",
                 np.where(is_b2b, "lead", "subscriber")),
    )
    last_order_micros = np.where(
        order_counts > 0, cal.day_micros(np.maximum(last_order, 0)) + 12 * 3600 * SECOND, 0
    )
    updated = np.maximum(np.maximum(created_micros, last_order_micros), cal.start_micros)
    updated = np.minimum(updated + rng.integers(0, 5 * MICROS_PER_DAY, size=n),
                         cal.end_micros - SECOND)
    updated = np.maximum(updated, created_micros)
    contacts = pa.table({
        "contact_id": _strings(contact_ids),
        "account_id": _strings(
            np.where(is_b2b, accounts.ids[np.maximum(account_idx, 0)], None)
        ),
        "email": _strings(emails),
        "phone": _strings(phones),
        "first_name": _strings(first_names),
        "last_name": _strings(last_names),
        "job_title": _strings(job_titles),
        "city": _strings(cities),
        "region": _strings(regions),
        "postal_code": _strings(postcodes),
        "country": _strings(country),
        "lifecycle_stage": _strings(stage),
        "created_at": _ts(created_micros),
        "updated_at": _ts(updated),
    })

    consent = _consent_events(rng, cal, contact_ids, created_micros, chunk)
    order_table, checkout_events = _orders(rng, cal, contact_ids, country, is_b2b, b_person, b_day,
                                           chunk)
    events, identifies, clicks = _web(
        rng, cal, ads, chunk, gidx, contact_ids, created_micros, created_day, country, is_b2b,
        s_person, s_day, s_state, checkout_events, emails,
    )
    return ChunkOutput(
        contacts=contacts, consent=consent, orders=order_table, events=events,
        identifies=identifies, ad_clicks=clicks, truth=truth_table,
        contact_ids=contact_ids, emails=emails, is_b2b=is_b2b, account_idx=account_idx,
        created_micros=created_micros,
    )


def _truth_table(cal: Calendar, contact_ids: np.ndarray,
                 rows: list[tuple[int, np.ndarray, np.ndarray]]) -> pa.Table:
    ids = [contact_ids[who] for _, who, _ in rows]
    snaps = [np.full(who.size, t) for t, who, _ in rows]
    probs = [p for _, _, p in rows]
    if not rows:
        ids, snaps, probs = [np.zeros(0, object)], [np.zeros(0, np.int64)], [np.zeros(0)]
    return pa.table({
        "contact_id": _strings(np.concatenate(ids)),
        "snapshot_at": _ts(cal.day_micros(np.concatenate(snaps))),
        "p_purchase_30d": pa.array(np.concatenate(probs), type=pa.float64()),
    })


def _consent_events(rng: np.random.Generator, cal: Calendar, contact_ids: np.ndarray,
                    created: np.ndarray, chunk: int) -> pa.Table:
    n = contact_ids.size
    grants = rng.random(n) < 0.85
    grant_at = np.maximum(created, cal.start_micros) + rng.integers(0, 600 * SECOND, size=n)
    grant_source = np.where(created < cal.start_micros, "crm_import",
                            people.pick(rng, ("web_form", "checkout"), n))
    withdraw = grants & (rng.random(n) < 0.10)
    withdraw_at = grant_at + rng.integers(1, max(cal.days, 2), size=n) * MICROS_PER_DAY
    withdraw &= withdraw_at < cal.end_micros
    regrant = withdraw & (rng.random(n) < 0.2)
    regrant_at = withdraw_at + rng.integers(1, 60, size=n) * MICROS_PER_DAY
    regrant &= regrant_at < cal.end_micros
    never = ~grants & (rng.random(n) < 0.3)  # explicit refusal recorded at sign-up
    parts = [
        (grants, grant_at, "granted", grant_source),
        (withdraw, withdraw_at, "withdrawn", np.full(n, "unsubscribe_link", dtype=object)),
        (regrant, regrant_at, "granted", np.full(n, "preference_center", dtype=object)),
        (never, grant_at, "withdrawn", np.full(n, "web_form", dtype=object)),
    ]
    _ids, who, status, source, at = [], [], [], [], []
    for mask, when, st, src in parts:
        sel = np.flatnonzero(mask)
        who.append(contact_ids[sel])
        at.append(when[sel])
        status.append(np.full(sel.size, st, dtype=object))
        source.append(src[sel])
    at_all = np.concatenate(at)
    order = np.argsort(at_all, kind="stable")
    total = order.size
    return pa.table({
        "consent_event_id": serial_ids(f"CE{chunk:04d}-", total),
        "contact_id": _strings(np.concatenate(who)[order]),
        "status": _strings(np.concatenate(status)[order]),
        "source": _strings(np.concatenate(source)[order]),
        "occurred_at": _ts(at_all[order]),
    })


def _orders(rng: np.random.Generator, cal: Calendar, contact_ids: np.ndarray,
            country: np.ndarray, is_b2b: np.ndarray, person: np.ndarray, day: np.ndarray,
            chunk: int) -> tuple[pa.Table, tuple[np.ndarray, np.ndarray]]:
    m = person.size
    hour = rng.choice(24, size=m, p=HOUR_WEIGHTS)
    ordered = cal.day_micros(day) + hour * 3600 * SECOND + rng.integers(0, 3600 * SECOND, size=m)
    currency = np.array([people.CURRENCY_BY_COUNTRY[c] for c in country[person].tolist()],
                        dtype=object)
    usd = rng.lognormal(mean=3.9, sigma=0.9, size=m) * np.where(is_b2b[person], 2.5, 1.0)
    rate = np.array([people.USD_PER_UNIT[c] for c in currency.tolist()])
    amount = np.round(usd / rate, 2) + 0.01
    status_u = rng.random(m)
    status = np.where(status_u < 0.05, "refunded", np.where(status_u < 0.07, "cancelled",
                                                            "completed"))
    refunded_at = np.where(
        status == "refunded",
        ordered + rng.integers(2, 21, size=m) * MICROS_PER_DAY,
        ordered + rng.integers(600, 86_000, size=m) * SECOND,
    )
    # A refund after the export happened is not known yet: the order is still completed.
    late = (status != "completed") & (refunded_at >= cal.end_micros)
    status = np.where(late, "completed", status)
    no_refund = status == "completed"
    channel = people.pick(rng, ("web", "mobile_app", "store", "phone"), m,
                          np.array([0.72, 0.13, 0.10, 0.05]))
    order_by_time = np.argsort(ordered, kind="stable")
    table = pa.table({
        "order_id": serial_ids(f"SO-{chunk:04d}-", m),
        "contact_id": _strings(contact_ids[person][order_by_time]),
        "ordered_at": _ts(ordered[order_by_time]),
        "amount": pa.array(amount[order_by_time], type=pa.float64()),
        "currency": _strings(currency[order_by_time]),
        "item_count": pa.array(1 + rng.poisson(1.2, size=m)[order_by_time], type=pa.int64()),
        "status": _strings(status[order_by_time]),
        "refunded_at": _ts_nullable(refunded_at[order_by_time], no_refund[order_by_time]),
        "channel": _strings(channel[order_by_time]),
    })
    online = np.isin(channel, ("web", "mobile_app"))
    return table, (person[online], ordered[online])


def _web(
    rng: np.random.Generator, cal: Calendar, ads: AdPlan, chunk: int, gidx: np.ndarray,
    contact_ids: np.ndarray, created: np.ndarray, created_day: np.ndarray, country: np.ndarray,
    is_b2b: np.ndarray, s_person: np.ndarray, s_day: np.ndarray, s_state: np.ndarray,
    checkout: tuple[np.ndarray, np.ndarray], emails: list[str],
) -> tuple[pa.Table, pa.Table, pa.Table]:
    n = contact_ids.size
    # Devices: 1-3 cookies per person; the first is identified at sign-up (or the first login
    # of the export window), the others at a later login or never.
    n_devices = rng.choice([1, 2, 3], size=n, p=[0.5, 0.35, 0.15])
    device_kind = people.pick(rng, ("desktop", "mobile", "tablet"), 3 * n,
                              np.array([0.5, 0.42, 0.08])).reshape(n, 3)
    first_login = np.maximum(created, cal.start_micros)
    later_login = first_login[:, None] + rng.integers(
        0, int((cal.days + 200) * MICROS_PER_DAY), size=(n, 3)
    )
    identified_at = np.concatenate([first_login[:, None], later_login[:, 1:]], axis=1)
    anon_ids = np.array(
        [[f"{((g * 3 + j) * 7919) % 10**10:010d}.{1_600_000_000 + (g * 37) % 10**8}"
          for j in range(3)] for g in gidx.tolist()],
        dtype=object,
    )

    # Sessions -> events.
    s = s_person.size
    device = np.minimum((rng.random(s) * n_devices[s_person]).astype(np.int64),
                        n_devices[s_person] - 1)
    device = np.where(s_day < created_day[s_person], 0, device)
    start = (cal.day_micros(s_day) + rng.choice(24, size=s, p=HOUR_WEIGHTS) * 3600 * SECOND
             + rng.integers(0, 3600 * SECOND, size=s))
    paid = rng.random(s) < truth.PAID_SHARE[s_state]
    email_visit = ~paid & (rng.random(s) < 0.08) & (s_day >= created_day[s_person])
    platform, campaign, click_ids = ads.assign_clicks(rng, s_day, is_b2b[s_person], paid, chunk)
    length = 1 + rng.geometric(np.where(s_state == 2, 0.22, np.where(s_state == 1, 0.4, 0.6)))
    e_sess = np.repeat(np.arange(s), length)
    e_pos = np.arange(e_sess.size) - np.repeat(np.cumsum(length) - length, length)
    e_state = s_state[e_sess]
    u = rng.random(e_sess.size)
    p_product = np.array([0.20, 0.35, 0.45])[e_state]
    p_cart = np.array([0.01, 0.05, 0.16])[e_state]
    p_checkout = np.array([0.0, 0.01, 0.05])[e_state]
    b2b_e = is_b2b[s_person][e_sess]
    # Event names and pages as codes into small vocabularies; strings are made once, in Arrow.
    name = np.where(u < p_product, _EV["product_view"],
                    np.where(u < p_product + p_cart, _EV["add_to_cart"],
                             np.where(u < p_product + p_cart + p_checkout, _EV["begin_checkout"],
                                      _EV["page_view"])))
    pricing = b2b_e & (rng.random(e_sess.size) < 0.05)
    name = np.where(pricing, _EV["pricing_view"], name)
    name = np.where(e_pos == 0, _EV["page_view"], name)
    path = rng.integers(0, PAGES.size, size=e_sess.size)
    product = PAGES.size + rng.integers(0, PRODUCT_PAGES.size, size=e_sess.size)
    path = np.where(np.isin(name, (_EV["product_view"], _EV["add_to_cart"])), product, path)
    path = np.where(name == _EV["pricing_view"], _PATH["/pricing"], path)
    path = np.where(name == _EV["begin_checkout"], _PATH["/checkout"], path)
    gaps = rng.integers(5 * SECOND, 300 * SECOND, size=e_sess.size)
    gaps[e_pos == 0] = 0
    offset = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[np.cumsum(length) - length], length)
    e_time = start[e_sess] + offset
    e_person = s_person[e_sess]
    e_device = device[e_sess]
    first = e_pos == 0
    # Landing attributes: a session index on the first event of tagged sessions, else null.
    paid_first = first & paid[e_sess]
    email_first = first & email_visit[e_sess]

    # Checkout events of online orders, on the person's first device.
    c_person, c_time = checkout
    k = c_person.size
    c_person3 = np.repeat(c_person, 3)
    c_time3 = np.repeat(c_time, 3) + np.tile(np.array([-180, -90, 0]) * SECOND, k)
    c_name = np.tile(np.array([_EV["page_view"], _EV["begin_checkout"], _EV["purchase"]]), k)
    c_path = np.tile(np.array([_PATH["/cart"], _PATH["/checkout"], _PATH["/checkout/complete"]]),
                     k)

    all_person = np.concatenate([e_person, c_person3])
    all_device = np.concatenate([e_device, np.zeros(3 * k, dtype=np.int64)])
    all_time = np.concatenate([e_time, c_time3])
    all_name = np.concatenate([name, c_name])
    all_path = np.concatenate([path, c_path])
    no_landing = np.zeros(3 * k, dtype=bool)
    all_paid_first = np.concatenate([paid_first, no_landing])
    all_email_first = np.concatenate([email_first, no_landing])
    all_sess = np.concatenate([e_sess, np.zeros(3 * k, dtype=np.int64)])
    known = all_time >= identified_at[all_person, all_device]
    has_geo = rng.random(all_person.size) < 0.97
    order = np.argsort(all_time, kind="stable")
    # A session that starts late on the last day runs past the export's end: its later events
    # belong to a day the export does not cover (and may not have happened yet).
    order = order[all_time[order] < cal.end_micros]
    o_person, o_device, o_sess = all_person[order], all_device[order], all_sess[order]
    o_paid, o_email = all_paid_first[order], all_email_first[order]
    plat_idx = ads.platform_index(platform)
    utm_source = _take(_UTM_SOURCES, np.where(o_paid, plat_idx[o_sess],
                                              np.where(o_email, _NEWSLETTER, -1)))
    utm_medium = _take(_UTM_MEDIUMS, np.where(o_paid, plat_idx[o_sess],
                                              np.where(o_email, _NEWSLETTER, -1)))
    campaign_or_letter = np.where(o_paid, o_sess, np.where(o_email, s + s_day[o_sess], -1))
    utm_campaign = _take(pa.concat_arrays([pa.array(campaign, pa.string()),
                                           pa.array(cal.newsletter_by_day(), pa.string())]),
                         campaign_or_letter)
    events = pa.table({
        "event_id": serial_ids(f"ev-{chunk:04d}-", order.size),
        "anonymous_id": _take(pa.array(anon_ids.ravel(), pa.string()), o_person * 3 + o_device),
        "user_id": _take(pa.array(contact_ids, pa.string()),
                         np.where(known[order], o_person, -1)),
        "event_name": _take(_EVENT_NAMES, all_name[order]),
        "page_path": _take(_PAGE_PATHS, all_path[order]),
        "utm_source": utm_source,
        "utm_medium": utm_medium,
        "utm_campaign": utm_campaign,
        "click_id": _take(pa.array(click_ids, pa.string()), np.where(o_paid, o_sess, -1)),
        "device": _take(pa.array(device_kind.ravel(), pa.string()), o_person * 3 + o_device),
        "country": _take(pa.array(country, pa.string()),
                         np.where(has_geo[order], o_person, -1)),
        "occurred_at": _ts(all_time[order]),
    })

    # Identify calls for every device identified inside the export window.
    person_dev = [(p, j) for j in range(3) for p in np.flatnonzero(n_devices > j).tolist()]
    pp = np.array([p for p, _ in person_dev], dtype=np.int64)
    jj = np.array([j for _, j in person_dev], dtype=np.int64)
    when = identified_at[pp, jj]
    inside = when < cal.end_micros
    pp, jj, when = pp[inside], jj[inside], when[inside]
    with_email = rng.random(pp.size) < 0.5
    id_emails = np.where(with_email, np.asarray(emails, dtype=object)[pp], None)
    id_order = np.argsort(when, kind="stable")
    identifies = pa.table({
        "identify_id": serial_ids(f"id-{chunk:04d}-", pp.size),
        "anonymous_id": _strings(anon_ids[pp, jj][id_order]),
        "user_id": _strings(contact_ids[pp][id_order]),
        "email": _strings(id_emails[id_order]),
        "occurred_at": _ts(when[id_order]),
    })
    clicks = ads.click_table(platform[paid], campaign[paid], click_ids[paid],
                             start[paid] - 3 * SECOND)
    return events, identifies, clicks
