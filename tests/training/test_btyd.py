"""BG/NBD recovers the parameters of data simulated from the model, and its purchase
probabilities are calibrated on that data's future."""

from __future__ import annotations

import numpy as np
import pytest

from training import btyd

TRUE = btyd.BgNbd(r=0.6, alpha=30.0, a=0.8, b=3.0)
HORIZON = 60.0


def simulate(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """x, t_x, T up to each customer's T, and whether they buy within HORIZON after it."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(TRUE.r, 1 / TRUE.alpha, size=n)
    dropout = rng.beta(TRUE.a, TRUE.b, size=n)
    big_t = rng.uniform(30, 400, size=n)
    x, t_x, bought = np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
    for i in range(n):
        now, alive = 0.0, True
        while alive:
            now += rng.exponential(1 / rate[i])
            if now > big_t[i] + HORIZON:
                break
            if now <= big_t[i]:
                x[i], t_x[i] = x[i] + 1, now
                alive = rng.random() >= dropout[i]
            else:
                bought[i] = True
                break
    return x, t_x, big_t, bought


def test_the_fit_recovers_simulated_parameters() -> None:
    x, t_x, big_t, _ = simulate(6000, seed=1)
    fitted = btyd.fit(x, t_x, big_t)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(getattr(TRUE, name), rel=0.3), name


def test_purchase_probabilities_are_calibrated_and_rank() -> None:
    x, t_x, big_t, bought = simulate(6000, seed=2)
    fitted = btyd.fit(x, t_x, big_t)
    p = fitted.purchase_probability(HORIZON, x, t_x, big_t)
    assert p.mean() == pytest.approx(bought.mean(), abs=0.02)
    top = p >= np.quantile(p, 0.9)
    assert bought[top].mean() > 2 * bought.mean()
    expected = fitted.expected_purchases(HORIZON, x, t_x, big_t)
    assert np.all(expected >= p - 1e-9)  # at least one purchase is at most the mean count


def test_the_likelihood_matches_the_formula_for_one_customer() -> None:
    params, x, t_x, big_t = TRUE, 2.0, 100.0, 300.0
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    from math import gamma

    from scipy.special import beta
    common = gamma(r + x) * alpha ** r / gamma(r)
    alive = beta(a, b + x) / beta(a, b) * common / (alpha + big_t) ** (r + x)
    died = beta(a + 1, b + x - 1) / beta(a, b) * common / (alpha + t_x) ** (r + x)
    got = btyd.log_likelihood(params, np.array([x]), np.array([t_x]), np.array([big_t]))[0]
    assert got == pytest.approx(np.log(alive + died))


def test_inputs_from_snapshot_features() -> None:
    x, t_x, big_t = btyd.history_inputs(np.array([0, 3, np.nan]), np.array([100, 200, 50]),
                                        np.array([np.nan, 20, np.nan]))
    assert list(x) == [0, 3, 0]
    assert list(t_x) == [0, 180, 0]
    assert list(big_t) == [100, 200, 50]
