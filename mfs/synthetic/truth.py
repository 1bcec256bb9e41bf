"""The planted truth: how purchase and lead-conversion outcomes are generated, and their exact odds.

Customers
---------
Every person carries a latent shopping *intent* that moves day by day through a Markov chain
over three states: dormant (0), browsing (1) and in-market (2). Intent is never written to the
raw data; it shows through behaviour: web sessions, product views, add-to-carts and ad clicks are
all far more frequent when browsing and in-market. On day `d` the chance to place an order is

    logit h = STATE_LOGIT[state] + 0.35 * log1p(orders so far) + recency term
              + 0.30 * is_b2b + u_person + season(d)

with the recency term `-0.30 * log1p(days since last order / 30)` for buyers and -0.40 for people
who never ordered, `u_person ~ N(0, 0.35)` a person's persistent noise, and `season(d)` a yearly
sine (peak in late November) plus a weekend bump. After an order, intent falls back to dormant
with probability 0.7.

Because the recency and frequency terms only change *after* an order, the probability of at least
one order in the 30 days after snapshot T depends on the intent at T and on the order history at T
alone, and the forward algorithm below computes it exactly: that is the oracle the models are
compared with.

Leads
-----
A lead wins (converts into a closed-won opportunity) with probability
`sigmoid(-1.6 + source + seniority + size + industry + eta)`, where `eta ~ N(0, 0.8)` is the
lead's latent interest, which also drives its website visits and pricing-page views. A winning
lead wins after a Gamma(2, 20 days) delay from its creation. The oracle at snapshot T for a lead of
age `a` days that has not won yet is `p * (F(a + 90) - F(a)) / (1 - p * F(a))`.
"""

from __future__ import annotations

import math

import numpy as np

DORMANT, BROWSING, IN_MARKET = 0, 1, 2
N_STATES = 3

# Daily transition matrix (row = from, column = to).
TRANSITIONS = np.array(
    [
        [0.975, 0.022, 0.003],
        [0.050, 0.915, 0.035],
        [0.020, 0.090, 0.890],
    ]
)
STATE_LOGIT = np.array([-7.2, -5.0, -2.5])
INITIAL_STATE = np.array([0.70, 0.24, 0.06])
RESET_TO_DORMANT_AFTER_ORDER = 0.7
PERSON_NOISE_SD = 0.35
FREQUENCY_COEF = 0.35
RECENCY_COEF = -0.30
NEVER_ORDERED = -0.40
B2B_COEF = 0.30
LABEL_WINDOW_DAYS = 30

# Daily web sessions by intent state (multiplied by a person's activity level, mean 1).
SESSION_RATE = np.array([0.010, 0.070, 0.420])
# Share of sessions that start from a paid ad click, by intent (retargeting finds the in-market).
PAID_SHARE = np.array([0.10, 0.22, 0.38])

LEAD_BASE_LOGIT = -1.6
LEAD_SOURCE_COEF = {
    "web_form": 0.2, "content_download": -0.3, "webinar": 0.3, "trade_show": 0.1,
    "partner_referral": 0.8, "paid_social": -0.4, "sales_outbound": -0.6,
}
LEAD_SENIORITY_COEF = {"c_level": 0.7, "vp": 0.5, "director": 0.3, "manager": 0.0,
                       "individual": -0.4, "unknown": -0.2}
LEAD_INDUSTRY_COEF = {
    "software": 0.4, "retail": -0.1, "manufacturing": 0.0, "financial_services": 0.3,
    "healthcare": -0.2, "education": -0.5, "media": -0.1, "professional_services": 0.1,
}
LEAD_INTEREST_SD = 0.8
LEAD_DELAY_SHAPE = 2.0
LEAD_DELAY_SCALE_DAYS = 20.0
LEAD_WINDOW_DAYS = 90


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def season(day_of_year: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Seasonal shift of the purchase logit: yearly peak around day 330, weekends a bit higher."""
    yearly = 0.25 * np.cos(2 * np.pi * (day_of_year - 330) / 365.25)
    weekend = np.where(weekday >= 5, 0.10, 0.0)
    return yearly + weekend


def history_logit(orders: np.ndarray, days_since_last: np.ndarray, is_b2b: np.ndarray,
                  person_noise: np.ndarray) -> np.ndarray:
    """Everything in the purchase logit except intent and season."""
    recency = np.where(
        orders > 0, RECENCY_COEF * np.log1p(np.maximum(days_since_last, 0) / 30.0), NEVER_ORDERED
    )
    return FREQUENCY_COEF * np.log1p(orders) + recency + B2B_COEF * is_b2b + person_noise


def purchase_hazard(state: np.ndarray, orders: np.ndarray, days_since_last: np.ndarray,
                    is_b2b: np.ndarray, person_noise: np.ndarray,
                    season_shift: float) -> np.ndarray:
    """Daily probability to order, for a vector of people on one day."""
    logit = STATE_LOGIT[state] + history_logit(orders, days_since_last, is_b2b, person_noise)
    return sigmoid(logit + season_shift)


def purchase_probability(
    state: np.ndarray,
    orders: np.ndarray,
    last_order_day: np.ndarray,
    is_b2b: np.ndarray,
    person_noise: np.ndarray,
    snapshot_day: int,
    season_by_day: np.ndarray,
) -> np.ndarray:
    """Exact P(at least one order in days [T, T+30)) given intent on day T-1 and history at T.

    Forward algorithm over the intent chain: the mass of "no order yet" is carried day by day
    through the transition matrix and thinned by each state's hazard. `last_order_day` is -1 for
    people who never ordered; `season_by_day` must cover the window.
    """
    # One vector per intent state ("no order yet and in state k"): plain vector arithmetic is
    # several times faster than an (n, 3) @ (3, 3) product per day for 50k people.
    alive = [np.where(state == k, 1.0, 0.0) for k in range(N_STATES)]
    buyer = last_order_day >= 0
    # The parts of the logit that stay fixed until the first order in the window.
    fixed = FREQUENCY_COEF * np.log1p(orders) + B2B_COEF * is_b2b + person_noise
    fixed = fixed + np.where(buyer, 0.0, NEVER_ORDERED)
    exp_neg_state = np.exp(-STATE_LOGIT)
    for d in range(snapshot_day, snapshot_day + LABEL_WINDOW_DAYS):
        moved = [
            sum(alive[i] * TRANSITIONS[i, k] for i in range(N_STATES)) for k in range(N_STATES)
        ]
        recency = np.where(
            buyer, RECENCY_COEF * np.log1p(np.maximum(d - last_order_day, 0) / 30.0), 0.0
        )
        # 1 - sigmoid(b + c) = z / (1 + z) with z = exp(-b) * exp(-c): one exp per person-day.
        z = np.exp(-(fixed + recency + season_by_day[d]))
        alive = [m * (z * e) / (1.0 + z * e) for m, e in zip(moved, exp_neg_state, strict=True)]
    return 1.0 - sum(alive)


def lead_win_logit(source: np.ndarray, seniority: np.ndarray, employees: np.ndarray,
                   industry: np.ndarray, interest: np.ndarray) -> np.ndarray:
    """Logit of a lead ever winning; string arrays are looked up in the coefficient tables."""
    def lookup(table: dict[str, float], values: np.ndarray) -> np.ndarray:
        return np.array([table.get(v, 0.0) for v in values.tolist()], dtype=float)

    size = 0.25 * np.log10(np.maximum(employees, 1.0)) - 0.5
    return (
        LEAD_BASE_LOGIT + lookup(LEAD_SOURCE_COEF, source) + lookup(LEAD_SENIORITY_COEF, seniority)
        + lookup(LEAD_INDUSTRY_COEF, industry) + size + interest
    )


def gamma_cdf(days: np.ndarray) -> np.ndarray:
    """CDF of the Gamma(2, 20 days) win delay: 1 - exp(-x)(1 + x) with x = days / scale."""
    x = np.maximum(days, 0.0) / LEAD_DELAY_SCALE_DAYS
    assert math.isclose(LEAD_DELAY_SHAPE, 2.0), "closed form below assumes shape 2"
    return 1.0 - np.exp(-x) * (1.0 + x)


def lead_probability(p_win: np.ndarray, age_days: np.ndarray) -> np.ndarray:
    """Exact P(win within the next 90 days | not won yet) for leads of the given age."""
    before = p_win * gamma_cdf(age_days)
    within = p_win * (gamma_cdf(age_days + LEAD_WINDOW_DAYS) - gamma_cdf(age_days))
    return within / np.maximum(1.0 - before, 1e-12)
