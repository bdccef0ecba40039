"""Value types shared by every scenario section: durations, rates, probabilities, distributions."""

from __future__ import annotations

from typing import Annotated, Literal, Union

import re

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from .units import DURATION_PATTERN, RATE_PATTERN, parse_duration, parse_rate

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": DURATION_PATTERN}],
                    "description": "minutes, or a string with a unit: '90 s', '6 min', '8 h', '30 d'"}),
]
Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": RATE_PATTERN}],
                    "description": "per minute, or a string with a unit: '200 /h', '0.5 /d'"}),
]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
PositiveDuration = Annotated[Duration, Field(gt=0.0)]
NonNegativeDuration = Annotated[Duration, Field(ge=0.0)]
NonNegativeRate = Annotated[Rate, Field(ge=0.0)]

#: A scenario name becomes one folder name (``results/<name>``): letters, digits, ``_ . -``, no path.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


def _safe_name(value: str) -> str:
    if not re.fullmatch(NAME_PATTERN, value):
        raise ValueError("a scenario name is one folder name: 1 to 64 letters, digits, '_', '.' or '-', starting "
                         "with a letter or digit (no '/', no spaces)")
    return value


SafeName = Annotated[str, AfterValidator(_safe_name),
                     WithJsonSchema({"type": "string", "pattern": NAME_PATTERN,
                                     "description": "used as the results folder name: letters, digits, _ . -"})]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- distributions -------------------------------------------------------------------------

class Exponential(Strict):
    """Memoryless: what the queueing oracles assume."""
    dist: Literal["exponential"]
    mean: PositiveDuration


class Lognormal(Strict):
    """Right-skewed work times: most are short, a few are very long (cv ≈ 1 by default)."""
    dist: Literal["lognormal"]
    mean: PositiveDuration
    cv: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0  # above ~1e154, cv² overflows


class Deterministic(Strict):
    dist: Literal["deterministic"]
    value: NonNegativeDuration


class Empirical(Strict):
    """Resample measured durations, each equally likely."""
    dist: Literal["empirical"]
    values: Annotated[list[NonNegativeDuration], Field(min_length=1)]


Distribution = Annotated[Union[Exponential, Lognormal, Deterministic, Empirical], Field(discriminator="dist")]


def distribution_mean(d: Exponential | Lognormal | Deterministic | Empirical) -> float:
    if isinstance(d, Deterministic):
        return d.value
    if isinstance(d, Empirical):
        return sum(d.values) / len(d.values)
    return d.mean
