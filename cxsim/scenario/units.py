"""Durations and rates as people write them: ``"90 s"``, ``"6 min"``, ``"200 /h"``.

cxsim works in minutes internally. A bare number in a scenario is already in minutes (durations)
or per minute (rates); a string carries its own unit and is converted here, once, at load time.
"""

from __future__ import annotations

import math
import re

#: Minutes per unit. Weeks and days are calendar units of the simulation clock (24 h days).
MINUTES_PER: dict[str, float] = {
    "s": 1 / 60, "sec": 1 / 60, "second": 1 / 60, "seconds": 1 / 60,
    "min": 1.0, "minute": 1.0, "minutes": 1.0, "m": 1.0,
    "h": 60.0, "hour": 60.0, "hours": 60.0,
    "d": 1440.0, "day": 1440.0, "days": 1440.0,
    "w": 10080.0, "week": 10080.0, "weeks": 10080.0,
    "y": 525600.0, "year": 525600.0, "years": 525600.0,
}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_DURATION = re.compile(rf"^\s*({_NUMBER})\s*([a-zA-Z]+)\s*$")
_RATE = re.compile(rf"^\s*({_NUMBER})\s*(?:/|per\s+)\s*({_NUMBER})?\s*([a-zA-Z]+)\s*$")

DURATION_PATTERN = _DURATION.pattern
RATE_PATTERN = _RATE.pattern


def _unit(name: str) -> float:
    try:
        return MINUTES_PER[name.lower()]
    except KeyError:
        known = ", ".join(["s", "min", "h", "d", "w", "y"])
        raise ValueError(f"unknown time unit {name!r} (use one of {known})") from None


def _finite(value: float | int, what: str) -> float:
    """A float that is neither infinite nor NaN (a huge integer counts as infinite)."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return number


def parse_duration(value: object) -> float:
    """Minutes from a number (already minutes) or a string such as ``"90 s"`` or ``"8 h"``."""
    if isinstance(value, bool):
        raise ValueError("a duration must be a number of minutes or a string like '90 s'")
    if isinstance(value, (int, float)):
        return _finite(value, "a duration")
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return _finite(float(match.group(1)) * _unit(match.group(2)), "a duration")
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            return _finite(number, "a duration")
    raise ValueError(f"{value!r} is not a duration: write minutes as a number or a string like '90 s', '6 min', '8 h', '30 d'")


def parse_rate(value: object) -> float:
    """Events per minute from a number (already per minute) or a string such as ``"200 /h"``.

    ``"2 /30d"`` (two per thirty days) and ``"200 per hour"`` are accepted as well.
    """
    if isinstance(value, bool):
        raise ValueError("a rate must be a number per minute or a string like '200 /h'")
    if isinstance(value, (int, float)):
        return _finite(value, "a rate")
    if isinstance(value, str):
        match = _RATE.match(value)
        if match:
            count, span, unit = match.groups()
            minutes = (float(span) if span else 1.0) * _unit(unit)
            if not 0 < minutes < math.inf:
                raise ValueError(f"{value!r}: the time span of a rate must be positive and finite")
            return _finite(float(count) / minutes, "a rate")
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            return _finite(number, "a rate")
    raise ValueError(f"{value!r} is not a rate: write a number per minute or a string like '200 /h', '12 /min', '0.5 /d'")


def format_duration(minutes: float) -> str:
    """A short human reading of a duration in minutes, for tables and messages."""
    if minutes < 1:
        return f"{minutes * 60:.3g} s"
    if minutes < 120:
        return f"{minutes:.3g} min"
    if minutes < 2 * 1440:
        return f"{minutes / 60:.3g} h"
    return f"{minutes / 1440:.3g} d"
