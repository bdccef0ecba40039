"""Durations from a log: work time per need type, patience (censored), retrial and return delays.

Work time is taken from first contacts answered without a hand-off: a repeat's or a transfer's
handle time is the rest of a need's work, not a fresh draw. Candidate laws are the ones a scenario
can hold (exponential, lognormal), compared by AIC; the best is written when a KS test does not
reject it, the measured distribution (as quantiles) when neither fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .clock import Clock
from .intervals import LEVEL, Estimate, exponential_mean, truncated_exponential

#: Below this KS p-value no candidate fits and the empirical distribution is written.
REJECT = 0.01
#: Quantiles kept of an empirical distribution (enough to resample its shape, small enough to read).
QUANTILES = 100
#: The Weibull alternative to exponential patience is fitted on at most this many contacts.
PATIENCE_SAMPLE = 20_000


@dataclass(frozen=True)
class WorkFit:
    dist: str                      # exponential, lognormal or empirical
    mean: Estimate
    cv: Estimate | None            # lognormal only
    values: list[float] | None     # empirical only (minutes)
    compared: str                  # the candidates' AIC, in words


def work_time(x: np.ndarray, path: str, level: float = LEVEL) -> WorkFit:
    """Fit exponential and lognormal to positive durations (minutes) and keep the better by AIC."""
    x = x[x > 0]
    n = len(x)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    loc, scale = stats.expon.fit(x, floc=0)
    aic_exp = 2 - 2 * float(np.sum(stats.expon.logpdf(x, loc, scale)))
    shape, _, ln_scale = stats.lognorm.fit(x, floc=0)
    aic_ln = 4 - 2 * float(np.sum(stats.lognorm.logpdf(x, shape, 0, ln_scale)))
    compared = f"AIC {abs(aic_exp - aic_ln):,.0f} below " + ("exponential" if aic_ln < aic_exp else "lognormal")
    if aic_ln < aic_exp:
        p = float(stats.kstest(x, stats.lognorm(shape, 0, ln_scale).cdf).pvalue)
        mu, s2 = math.log(ln_scale), shape ** 2
        # Cox's interval for a lognormal mean, and the chi-square interval of sigma² for the cv.
        half = z * math.sqrt(s2 / n + s2 ** 2 / (2 * (n - 1)))
        centre = mu + s2 / 2
        chi_lo, chi_hi = stats.chi2.ppf([(1 + level) / 2, (1 - level) / 2], n - 1)
        s2_lo, s2_hi = (n - 1) * s2 / chi_lo, (n - 1) * s2 / chi_hi
        fit = f"lognormal ({compared}), KS p = {p:.2g}"
        mean = Estimate(f"{path}.mean", math.exp(centre), math.exp(centre - half), math.exp(centre + half), "min", fit,
                        n, level)
        cv_of = lambda variance: math.sqrt(math.expm1(variance))  # noqa: E731  (lognormal cv from sigma²)
        cv = Estimate(f"{path}.cv", cv_of(s2), cv_of(s2_lo), cv_of(s2_hi), "", fit, n, level)
        best = "lognormal"
    else:
        p = float(stats.kstest(x, stats.expon(0, scale).cdf).pvalue)
        fit = f"exponential ({compared}), KS p = {p:.2g}"
        value, low, high = exponential_mean(float(x.sum()), n, level)
        mean, cv, best = Estimate(f"{path}.mean", value, low, high, "min", fit, n, level), None, "exponential"
    if p >= REJECT:
        return WorkFit(best, mean, cv, None, compared)
    values = np.quantile(x, (np.arange(QUANTILES) + 0.5) / QUANTILES)
    sample_mean = float(x.mean())
    half = z * float(x.std(ddof=1)) / math.sqrt(n)
    fit = f"no candidate fits ({best} KS p = {p:.2g}): the measured distribution"
    return WorkFit("empirical", Estimate(f"{path}.mean", sample_mean, sample_mean - half, sample_mean + half, "min",
                                         fit, n, level), None, [round(float(v), 4) for v in values], compared)


def patience(wait: np.ndarray, abandoned: np.ndarray, path: str, level: float = LEVEL) -> Estimate:
    """Mean patience (minutes), exponential, from waits of which only abandonments end in patience:
    an answered contact's patience is only known to exceed its wait (right-censored)."""
    d = int(abandoned.sum())
    value, low, high = exponential_mean(float(wait.sum()), d, level)
    fit = _weibull_check(wait, abandoned) if d >= 10 else "too few abandonments to test"
    return Estimate(f"{path}.mean", value, low, high, "min", fit, d, level)


def _weibull_check(wait: np.ndarray, abandoned: np.ndarray) -> str:
    """Likelihood-ratio test of exponential patience against a Weibull (shape 1 = exponential),
    both fitted to censored data with scipy.stats.CensoredData."""
    rng = np.random.default_rng(0)
    take = rng.choice(len(wait), PATIENCE_SAMPLE, replace=False) if len(wait) > PATIENCE_SAMPLE \
        else np.arange(len(wait))
    w, a = np.maximum(wait[take], 1e-6), abandoned[take]
    data = stats.CensoredData(uncensored=w[a], right=w[~a])
    _, scale = stats.expon.fit(data, floc=0)
    shape, _, w_scale = stats.weibull_min.fit(data, floc=0)
    ll_exp = float(np.sum(stats.expon.logpdf(w[a], 0, scale)) + np.sum(stats.expon.logsf(w[~a], 0, scale)))
    ll_wei = float(np.sum(stats.weibull_min.logpdf(w[a], shape, 0, w_scale)) +
                   np.sum(stats.weibull_min.logsf(w[~a], shape, 0, w_scale)))
    p = float(stats.chi2.sf(max(2 * (ll_wei - ll_exp), 0.0), 1))
    return f"exponential against Weibull (shape {shape:.2f}): LR p = {p:.2g}, censored"


def delay(start: np.ndarray, gaps: np.ndarray, window: float, clock: Clock, path: str,
          level: float = LEVEL) -> Estimate:
    """Mean of an exponential delay (minutes on ``clock``) from wall-clock ``gaps`` that began at
    ``start``, each seen only within the window."""
    value, low, high, p = truncated_exponential(clock.span(start, gaps), clock.span(start, window), level)
    fit = f"exponential within the window, {clock.name} clock, KS p = {p:.2g}"
    return Estimate(f"{path}.mean", value, low, high, "min", fit, len(gaps), level)
