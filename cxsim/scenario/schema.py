"""The scenario file format, as pydantic models.

Every model forbids unknown keys, so a typo is an error and not a silently ignored setting.
Durations and rates accept units (see :mod:`cxsim.scenario.units`). Checks that need the whole
scenario (a team skilled for a channel that does not exist, a queue that can never empty) live
in :func:`cross_check`, which reports a field path for each problem so that the loader can point
at the line in the file.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, model_validator

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
    cv: Annotated[float, Field(gt=0.0)] = 1.0


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


# --- demand ----------------------------------------------------------------------------------

class OpenArrivals(Strict):
    """A stream of needs with no population behind it: loyalty is then reported per journey only."""
    rate: NonNegativeRate


class Population(Strict):
    """Customers who each raise needs; churned customers raise no more."""
    customers: Annotated[int, Field(ge=1, le=10**9)]
    need_rate: NonNegativeRate = Field(description="needs per active customer, e.g. '1 /30d'")


class Demand(Strict):
    open: OpenArrivals | None = None
    population: Population | None = None
    hourly_profile: Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=24, max_length=24)] | None = Field(
        None, description="24 relative weights, hour 0 first; normalised to mean 1 so the rate stays the average")
    weekly_profile: Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=7, max_length=7)] | None = Field(
        None, description="7 relative weights, Monday first; normalised to mean 1")
    channel_mix: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict, description="share of first contacts per channel (relative weights); default: equal")

    @model_validator(mode="after")
    def _one_source(self) -> "Demand":
        if (self.open is None) == (self.population is None):
            raise ValueError("give exactly one of 'open' (an arrival rate) or 'population' (customers × need rate)")
        for name, profile in (("hourly_profile", self.hourly_profile), ("weekly_profile", self.weekly_profile)):
            if profile is not None and sum(profile) <= 0:
                raise ValueError(f"{name} must have at least one positive weight")
        return self


class NeedType(Strict):
    share: Annotated[float, Field(ge=0)] = Field(description="relative weight among need types")
    work_time: Distribution = Field(description="work the need requires from an agent of proficiency 1")
    resolution: Probability = Field(0.8, description="base probability that one contact solves it")


# --- channels --------------------------------------------------------------------------------

class Retrial(Strict):
    """After abandoning: try again (same channel) with this probability after a delay, or give up."""
    probability: Probability = 0.5
    delay: Distribution = Field(default_factory=lambda: Exponential(dist="exponential", mean=10.0))


class Channel(Strict):
    kind: Literal["phone", "chat", "email", "self_service"]
    concurrency: Annotated[int, Field(ge=1)] | None = Field(None, description="sessions per agent (phone 1, chat 2)")
    slowdown: Annotated[float, Field(ge=0)] = Field(0.25, description="extra work per additional concurrent session")
    patience: Distribution | None = Field(None, description="phone/chat: time before abandoning (default exp 3 min)")
    abandons: bool | None = Field(None, description="false: nobody leaves the queue (phone/chat default true)")
    retrial: Retrial = Field(default_factory=Retrial)
    service_level_target: NonNegativeDuration | None = Field(
        None, description="answered within this counts as on time (phone 20 s, chat 60 s, email 24 h)")
    expected_wait: NonNegativeDuration | None = Field(None, description="what customers expect to wait (experience)")
    p_self: Probability | None = Field(None, description="self-service: probability an attempt solves the need")

    @model_validator(mode="after")
    def _fits_kind(self) -> "Channel":
        if self.kind == "phone" and self.concurrency not in (None, 1):
            raise ValueError("a phone agent handles one call at a time (concurrency 1)")
        if self.kind in ("email", "self_service") and (self.patience is not None or self.abandons):
            raise ValueError(f"{self.kind} customers do not abandon: remove 'patience'/'abandons'")
        if self.kind == "self_service" and self.p_self is None:
            raise ValueError("a self_service channel needs 'p_self', the probability that an attempt solves the need")
        if self.kind != "self_service" and self.p_self is not None:
            raise ValueError("'p_self' only applies to kind self_service")
        return self

    # Defaults that depend on the kind, resolved once here so the compiler sees one truth.
    @property
    def sessions(self) -> int:
        return self.concurrency or (2 if self.kind == "chat" else 1)

    @property
    def abandonment(self) -> bool:
        if self.kind in ("email", "self_service"):
            return False
        return True if self.abandons is None else self.abandons

    @property
    def patience_distribution(self) -> Exponential | Lognormal | Deterministic | Empirical | None:
        if not self.abandonment:
            return None
        return self.patience or Exponential(dist="exponential", mean=3.0)

    @property
    def target(self) -> float:
        if self.service_level_target is not None:
            return self.service_level_target
        return {"phone": 20 / 60, "chat": 1.0, "email": 1440.0, "self_service": 0.0}[self.kind]


class Returns(Strict):
    """What an unsolved need does next: failure demand."""
    delay: Distribution = Field(default_factory=lambda: Exponential(dist="exponential", mean=2 * 1440.0),
                                description="time until the customer comes back (default exp, mean 2 d)")
    give_up: Probability = Field(0.1, description="probability the customer gives up instead of coming back")
    switch: dict[str, dict[str, Annotated[float, Field(ge=0)]]] = Field(
        default_factory=dict,
        description="from channel -> {to channel: probability}; the rest stays in the same channel")


# --- workforce -------------------------------------------------------------------------------

class Shift(Strict):
    start: NonNegativeDuration = Field(description="time of day the shift starts, e.g. '8 h'")
    length: PositiveDuration = Field(description="e.g. '8 h'")
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: list(WEEKDAYS))

    @model_validator(mode="after")
    def _within_week(self) -> "Shift":
        if self.start >= 1440:
            raise ValueError("start is a time of day: below 24 h")
        if self.length > 1440:
            raise ValueError("a shift is at most 24 h long")
        return self


class Team(Strict):
    agents: Annotated[int, Field(ge=0, le=10**6)]
    channels: Annotated[list[str], Field(min_length=1)]
    needs: list[str] | None = Field(None, description="need types this team handles (default: all)")
    proficiency: Annotated[float, Field(gt=0)] = 1.0
    shift: Shift | None = Field(None, description="default: always on duty")
    cost_per_hour: Annotated[float, Field(ge=0)] = 30.0


# --- the scenario ------------------------------------------------------------------------------

class Scenario(Strict):
    name: str
    description: str = ""
    seed: Annotated[int, Field(ge=0)] = 2026
    replications: Annotated[int, Field(ge=1)] = 10
    horizon: PositiveDuration
    warmup: NonNegativeDuration = 0.0
    demand: Demand
    needs: Annotated[dict[str, NeedType], Field(min_length=1)]
    channels: Annotated[dict[str, Channel], Field(min_length=1)]
    teams: Annotated[dict[str, Team], Field(min_length=1)]
    returns: Returns = Field(default_factory=Returns)
    records: bool = Field(True, description="keep per-contact and per-need tables (off: summary only)")


Problem = tuple[tuple[str | int, ...], str]


def cross_check(s: Scenario) -> list[Problem]:
    """Problems that only show with the whole scenario in view, each with the field path it concerns."""
    problems: list[Problem] = []
    channels, needs = set(s.channels), set(s.needs)
    assisted = {c for c, ch in s.channels.items() if ch.kind != "self_service"}
    if s.warmup >= s.horizon:
        problems.append((("warmup",), f"warm-up ({s.warmup:g} min) must be shorter than the horizon ({s.horizon:g} min)"))
    if sum(n.share for n in s.needs.values()) <= 0:
        problems.append((("needs",), "at least one need type must have a positive share"))
    for name, team in s.teams.items():
        for i, c in enumerate(team.channels):
            if c not in channels:
                problems.append((("teams", name, "channels", i), f"channel {c!r} does not exist (channels: {', '.join(sorted(channels))})"))
            elif s.channels[c].kind == "self_service":
                problems.append((("teams", name, "channels", i), f"channel {c!r} is self-service: no agent works in it"))
        for i, n in enumerate(team.needs or []):
            if n not in needs:
                problems.append((("teams", name, "needs", i), f"need type {n!r} does not exist (needs: {', '.join(sorted(needs))})"))
    for c in s.demand.channel_mix:
        if c not in channels:
            problems.append((("demand", "channel_mix", c), f"channel {c!r} does not exist"))
    if s.demand.channel_mix and sum(s.demand.channel_mix.values()) <= 0:
        problems.append((("demand", "channel_mix"), "at least one channel must have a positive share"))
    for src, row in s.returns.switch.items():
        if src not in channels:
            problems.append((("returns", "switch", src), f"channel {src!r} does not exist"))
        for dst in row:
            if dst not in channels:
                problems.append((("returns", "switch", src, dst), f"channel {dst!r} does not exist"))
        if sum(row.values()) > 1 + 1e-9:
            problems.append((("returns", "switch", src), f"switch probabilities add up to {sum(row.values()):g} > 1"))
    # Every contact that can arrive in an assisted channel needs someone who can take it.
    served = {(c, n) for t in s.teams.values() for c in t.channels for n in (t.needs or needs)}
    for c in sorted(assisted):
        missing = [n for n in sorted(needs) if (c, n) not in served]
        if missing and _reachable(s, c):
            problems.append((("channels", c), f"no team handles {', '.join(missing)} in channel {c!r}"))
    if not assisted:
        problems.append((("channels",), "at least one channel must be staffed (phone, chat or email)"))
    problems.extend(_stability(s))
    return problems


def _reachable(s: Scenario, channel: str) -> bool:
    mix = s.demand.channel_mix
    if not mix or mix.get(channel, 0) > 0:
        return True
    return any(row.get(channel, 0) > 0 for row in s.returns.switch.values())


def _stability(s: Scenario) -> list[Problem]:
    """Refuse a queue that can only grow: first-contact load alone at or above staffed capacity.

    Only checked when nobody abandons (abandonment keeps any queue finite) and everyone is always
    on duty: with shifts, the run is a transient and a long queue is something to see, not an error.
    """
    assisted = [c for c, ch in s.channels.items() if ch.kind != "self_service"]
    if any(s.channels[c].abandonment for c in assisted) or any(t.shift for t in s.teams.values()):
        return []
    if s.demand.open is not None:
        rate = s.demand.open.rate
    else:
        assert s.demand.population is not None
        rate = s.demand.population.customers * s.demand.population.need_rate
    total_share = sum(n.share for n in s.needs.values()) or 1.0
    work = sum(n.share * distribution_mean(n.work_time) for n in s.needs.values()) / total_share
    load = rate * work  # Erlangs of first-contact work
    capacity = sum(t.agents * t.proficiency * max(s.channels[c].sessions for c in t.channels if c in s.channels)
                   for t in s.teams.values() if any(c in s.channels for c in t.channels))
    if capacity > 0 and load >= capacity:
        return [(("demand",), f"offered load {load:.4g} Erlangs is at or above the {capacity:g} agents on duty and "
                              "nobody abandons: the queue would grow without bound (add agents or allow abandonment)")]
    return []
