"""The ``lag`` chart: how many days customer outcomes (NPS) follow the employees' state (:mod:`cxsim.lag`)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..lag import employee_customer_lag
from . import words
from .figures import caption
from .load import ChartUnavailable, LoadedResults
from .style import GREY, figure, fit, message_title, policy_colours, talk_style


def _floats(values: list) -> np.ndarray:
    """A curve from ``summary.json`` (None where the correlation has no value) as floats, NaN for None."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def lag(r: LoadedResults) -> tuple[Figure, dict]:
    """Cross-correlation of week-on-week changes in the employees' state and in NPS, by lag in days, per policy.

    The employee signal is :func:`cxsim.lag.choose_signal`'s: chronic strain (sign-flipped) when it is on,
    else wellbeing."""
    daily = r.table("daily", "lag")
    found = employee_customer_lag(daily, r.warmup_minutes()) if "wellbeing" in daily.columns else {}
    if not found:
        raise ChartUnavailable("the 'lag' chart needs wellbeing and NPS that change over the run "
                               "(mechanisms wellbeing and experience on)")
    signal = next(iter(found.values()))["employee"]
    name = {"wellbeing": "staff wellbeing", "strain": "staff strain",
            "engagement": "staff engagement"}[signal]
    delta = {"wellbeing": "Δ wellbeing", "strain": "−Δ strain", "engagement": "Δ engagement"}[signal]
    colours = policy_colours(r.policies)
    values: dict = {"lag": {}}
    parts: list[str] = []   # NPS follows the employees (lag > 0) ...
    leads: list[str] = []   # ... or moves first (lag < 0)
    with talk_style():
        fig, ax = figure()
        for policy in r.policies:
            if policy not in found:
                continue
            f = found[policy]
            c = f["curve"]
            k = np.array(c["lag"], dtype=float)
            mean = _floats(c["mean"])
            low = _floats(c["low"])
            high = _floats(c["high"])
            # a correlation lies in [−1, 1]; a t-band over few replications can reach past it: drawn clipped
            ax.fill_between(k, np.clip(low, -1, 1), np.clip(high, -1, 1), color=colours[policy], alpha=0.18,
                            linewidth=0)
            ax.plot(k, mean, color=colours[policy], linewidth=2.5, label=policy)
            net = f.get("net_of_load")
            if net is not None:  # the same, with that week's occupancy held fixed (cxsim.lag.net_of_load)
                r_net = _floats(net["curve"]["r"])
                ax.plot(np.array(net["curve"]["lag"], dtype=float), r_net, color=colours[policy], linewidth=1.8,
                        linestyle="--", label=f"{policy}, net of occupancy", gid=f"net_of_load:{policy}")
                values.setdefault("net_of_load", {})[policy] = net["lag_days"]
            ci = f["lag_days"]
            values["lag"][policy] = ci
            if ci["mean"] is not None and ci["ci_low"] is not None:
                y = float(np.nanmax(mean)) if np.isfinite(mean).any() else 0.0
                ax.errorbar([ci["mean"]], [y], xerr=[[ci["mean"] - ci["ci_low"]], [ci["ci_high"] - ci["mean"]]],
                            fmt="o", color=colours[policy], capsize=6, markersize=9)
                if words.clear(ci):  # only lags whose interval excludes 0 make the message
                    # a negative lag: NPS moves first (the message says so, with the interval's days positive)
                    sign = 1.0 if ci["mean"] > 0 else -1.0
                    low, high = sorted((sign * ci["ci_low"], sign * ci["ci_high"]))
                    (parts if sign > 0 else leads).append(
                        f"{words.number(sign * ci['mean'])} days under {policy} "
                        f"(95 % CI {words.number(low)}–{words.number(high)})")
        ax.axvline(0, color=GREY, linestyle="--", linewidth=1.2)
        ax.axhline(0, color=GREY, linewidth=0.8)
        ax.set_xlabel(f"lag k in days (k > 0: NPS changes after {signal})")
        ax.set_ylabel(f"corr({delta} at t, Δ NPS at t + k)")
        ax.legend(loc="lower left", frameon=False)
        said = ([f"NPS follows {name} by " + ", ".join(parts)] if parts else []) + \
            ([f"NPS moves before {name} by " + ", ".join(leads)] if leads else [])
        title = "; ".join(said) if said else f"No clear lag between {name} and NPS"
        values["title"] = title
        message_title(fig, title, caption(r, "mean cross-correlation of week-on-week changes, 95 % band; "
                                             "dots: each policy's lag, mean and 95 % CI over replications"
                                             + ("; dashed: net of that week's occupancy (partial correlation, "
                                                "pooled over replications)" if "net_of_load" in values else "")))
        fit(fig)
    return fig, values
