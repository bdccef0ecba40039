"""The scenario file format, as pydantic models.

Every model forbids unknown keys, so a typo is an error and not a silently ignored setting.
Durations and rates accept units (see :mod:`cxsim.scenario.units`). Checks that need the whole
scenario (a team skilled for a channel that does not exist, a queue that can never empty) live
in :func:`cross_check`, which reports a field path for each problem so that the loader can point
at the line in the file.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .mechanisms import (
    BUILT_IN, Erosion, Experience, Loyalty, Mechanisms, Policy, Resolution, Wellbeing, resolve_policy,
)
from .staffing import TeamStaffing, multiplier, target_of
from .staffing import Break  # noqa: E402  (defined there: staffing patterns carry breaks too)
from .uncertain import UncertainRange, resolve as resolve_uncertain
from .progress import Escalation, Ownership, Progress
from .types import (
    WEEKDAYS, Deterministic, Distribution, Empirical, Exponential, Lognormal, NonNegativeDuration,
    NonNegativeRate, PositiveDuration, Probability, SafeName, Strict, distribution_mean,
)

# --- demand ----------------------------------------------------------------------------------

class OpenArrivals(Strict):
    """A stream of needs with no population behind it: loyalty is then reported per journey only."""
    rate: NonNegativeRate


class Population(Strict):
    """Customers who each raise needs; churned customers raise no more."""
    customers: Annotated[int, Field(ge=1, le=10**9)]
    need_rate: NonNegativeRate = Field(description="needs per active customer, e.g. '1 /30d'")


class Spike(Strict):
    """Demand × ``factor`` from ``start`` for ``length`` (a campaign, an outage, a season)."""
    start: NonNegativeDuration
    length: PositiveDuration
    factor: Annotated[float, Field(ge=0)]


class Segment(Strict):
    """A group of customers with their own demand, expectations and value (MODEL.md §2); what a
    segment leaves out is the scenario's (population need rate, need shares, channel mix, ...)."""
    share: Annotated[float, Field(ge=0)] = Field(description="relative weight of this segment among customers")
    need_rate: NonNegativeRate | None = Field(
        None, description="needs per customer of this segment, e.g. '2 /30d' (default: the population's)")
    needs: dict[str, Annotated[float, Field(ge=0)]] | None = Field(
        None, description="need-type mix of this segment: need type -> relative weight (default: the needs' shares)")
    channel_mix: dict[str, Annotated[float, Field(ge=0)]] | None = Field(
        None, description="channel preference: channel -> relative weight (default: demand.channel_mix)")
    expectation: Annotated[float, Field(ge=0, le=10)] | None = Field(
        None, description="centre of this segment's expectation level X, 0-10 (default: experience.neutral)")
    expected_wait: Annotated[float, Field(gt=0)] = Field(
        1.0, description="multiplier on the waits this segment expects (brand promise or the channel's expected_wait)")
    patience: Annotated[float, Field(gt=0)] = Field(1.0, description="multiplier on the channels' patience")
    value_per_month: Annotated[float, Field(ge=0)] | None = Field(
        None, description="revenue per customer-month of this segment (default: loyalty.value_per_month)")


class Demand(Strict):
    open: OpenArrivals | None = None
    population: Population | None = None
    hourly_profile: Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=24, max_length=24)] | None = Field(
        None, description="24 relative weights, hour 0 first; normalised to mean 1 so the rate stays the average")
    weekly_profile: Annotated[list[Annotated[float, Field(ge=0)]], Field(min_length=7, max_length=7)] | None = Field(
        None, description="7 relative weights, Monday first; normalised to mean 1")
    channel_mix: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict, description="share of first contacts per channel (relative weights); default: equal")
    spikes: list[Spike] = Field(default_factory=list, description="temporary changes of demand")
    segments: dict[str, Segment] = Field(
        default_factory=dict, description="customer segments with their shares (needs a population); "
                                          "none: one segment that is the population as described above")

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


class CustomerBehaviour(Strict):
    """How customers choose a channel and learn what to expect (MODEL.md §2); all off by default."""
    wait_sensitivity: Annotated[float, Field(ge=0)] = Field(
        0.0, description="channel choice: utility lost per unit of expected wait relative to the channel's "
                         "expected_wait (multinomial logit over the channel preference); 0: the fixed mix")
    wait_learning: Probability = Field(
        0.0, description="after each encounter a customer's expected wait in that channel moves this share of "
                         "the way toward the wait experienced; 0: expectations do not learn")
    brand_promise: dict[str, NonNegativeDuration] = Field(
        default_factory=dict, description="channel -> the wait the brand promises: new customers expect it "
                                          "(default: the channel's expected_wait)")
    acquisition_cost: Annotated[float, Field(ge=0)] = Field(
        0.0, description="cost of acquiring a customer to replace one who churned (enters net_value)")


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
    def expected(self) -> float:
        """The wait customers expect in this channel (experience compares waits against it)."""
        if self.expected_wait is not None:
            return self.expected_wait
        return {"phone": 1.0, "chat": 2.0, "email": 8 * 60.0, "self_service": 0.0}[self.kind]

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
    days: Annotated[list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]], Field(min_length=1)] = Field(
        default_factory=lambda: list(WEEKDAYS))
    breaks: list[Break] = Field(
        default_factory=list, description="paid breaks within the shift (default none), e.g. "
                                          "[{after: 2 h, length: 15 min}, {after: 4 h, length: 30 min}]")
    stagger: NonNegativeDuration = Field(
        0.0, description="the team's agents start each break spread evenly over this window, not all at once")

    @model_validator(mode="after")
    def _within_week(self) -> "Shift":
        if self.start >= 1440:
            raise ValueError("start is a time of day: below 24 h")
        if self.length > 1440:
            raise ValueError("a shift is at most 24 h long")
        end = 0.0
        for b in sorted(self.breaks, key=lambda b: b.after):
            if b.after < end:
                raise ValueError("breaks overlap")
            end = b.after + b.length + self.stagger
            if end >= self.length:
                raise ValueError("every break (with its stagger) must end before the shift does")
        return self


class Team(Strict):
    agents: Annotated[int, Field(ge=0, le=10**6)] | None = Field(
        None, description="head count available for contacts (or give 'staffing' to size the team by rule)")
    channels: Annotated[list[str], Field(min_length=1)]
    needs: list[str] | None = Field(None, description="need types this team handles (default: all)")
    proficiency: Annotated[float, Field(gt=0)] = 1.0
    shift: Shift | None = Field(None, description="default: always on duty")
    cost_per_hour: Annotated[float, Field(ge=0)] = 30.0
    skill_use: Annotated[float, Field(gt=0, le=1)] = Field(
        1.0, description="share of the agents' skill their work uses; below 1 (over-qualified) counts toward "
                         "boreout (wellbeing.engagement)")
    staffing: TeamStaffing | None = Field(
        None, description="staff the team by rule instead of 'agents': shift patterns, a target, shrinkage "
                          "(README \"Staffing by rule\")")

    @model_validator(mode="after")
    def _agents_or_rule(self) -> "Team":
        if (self.agents is None) == (self.staffing is None):
            raise ValueError("give exactly one of 'agents' (a head count) or 'staffing' (patterns to roster by rule)")
        if self.staffing is not None and self.shift is not None:
            raise ValueError("a team staffed by rule takes its shifts from 'staffing.patterns': remove 'shift'")
        return self


# --- the scenario ------------------------------------------------------------------------------

class Scenario(Strict):
    name: SafeName
    description: str = ""
    seed: Annotated[int, Field(ge=0)] = 2026
    replications: Annotated[int, Field(ge=1)] = 10
    horizon: PositiveDuration
    warmup: NonNegativeDuration | Literal["auto"] = Field(
        0.0, description="time before measuring starts, or 'auto' (MSER-5 on each replication's daily series)")
    demand: Demand
    needs: Annotated[dict[str, NeedType], Field(min_length=1)]
    channels: Annotated[dict[str, Channel], Field(min_length=1)]
    teams: Annotated[dict[str, Team], Field(min_length=1)]
    returns: Returns = Field(default_factory=Returns)
    clock: Literal["demand", "wall"] = Field(
        "demand", description="the clock of customers' own delays (retrials and returns): 'demand' measures them "
                              "along the demand profile, so customers come back in active hours; 'wall' in plain "
                              "minutes, as a contact log records them")
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    erosion: Erosion = Field(default_factory=Erosion)
    resolution: Resolution = Field(default_factory=Resolution)
    wellbeing: Wellbeing = Field(default_factory=Wellbeing)
    experience: Experience = Field(default_factory=Experience)
    loyalty: Loyalty = Field(default_factory=Loyalty)
    customers: CustomerBehaviour = Field(default_factory=CustomerBehaviour)
    progress: Progress = Field(default_factory=Progress, description="what a repeat contact still needs")
    ownership: Ownership = Field(default_factory=Ownership, description="an owner's callback and give-up")
    escalation: Escalation = Field(default_factory=Escalation,
                                   description="escalation to a second-line team after failed contacts (off)")
    sweep: dict[str, Annotated[list[Any], Field(min_length=1)]] | None = Field(
        None, description="grid to run: dotted path -> list of values, e.g. teams.phone.agents: [20, 24]")
    uncertain: dict[str, UncertainRange] | None = Field(
        None, description="parameters a conclusion should survive: dotted path -> {low, high, dist} "
                          "(used by cxsim explain; a run ignores it)")
    policies: dict[str, Policy] = Field(
        default_factory=lambda: {"baseline": Policy()},
        description="policies to compare on the same customers; the first is the reference for differences")

    @model_validator(mode="before")
    @classmethod
    def _policy_list(cls, data):
        # `policies: [efficiency, encounter]` is short for `policies: {efficiency: {}, encounter: {}}`.
        # A listed name that is not built in extends itself, so that it is refused as unknown.
        if isinstance(data, dict) and isinstance(data.get("policies"), list) and \
                all(isinstance(p, str) for p in data["policies"]):
            data = {**data, "policies": {p: {} if p in BUILT_IN else {"extends": p} for p in data["policies"]}}
        return data


Problem = tuple[tuple[str | int, ...], str]


def cross_check(s: Scenario) -> list[Problem]:
    """Problems that only show with the whole scenario in view, each with the field path it concerns."""
    problems: list[Problem] = []
    channels, needs = set(s.channels), set(s.needs)
    assisted = {c for c, ch in s.channels.items() if ch.kind != "self_service"}
    if s.warmup != "auto" and s.warmup >= s.horizon:
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
    if s.escalation.team is not None and s.escalation.team not in s.teams:
        problems.append((("escalation", "team"), f"team {s.escalation.team!r} does not exist "
                                                 f"(teams: {', '.join(sorted(s.teams))})"))
    elif s.escalation.after > 0 and s.escalation.team is None:
        problems.append((("escalation", "team"), "escalation.after is set: name the second-line team"))
    for c in s.demand.channel_mix:
        if c not in channels:
            problems.append((("demand", "channel_mix", c), f"channel {c!r} does not exist"))
    if s.demand.channel_mix and sum(s.demand.channel_mix.values()) <= 0:
        problems.append((("demand", "channel_mix"), "at least one channel must have a positive share"))
    problems.extend(_segment_problems(s))
    for c in s.customers.brand_promise:
        if c not in channels:
            problems.append((("customers", "brand_promise", c), f"channel {c!r} does not exist"))
    for src, row in s.returns.switch.items():
        if src not in channels:
            problems.append((("returns", "switch", src), f"channel {src!r} does not exist"))
        for dst in row:
            if dst not in channels:
                problems.append((("returns", "switch", src, dst), f"channel {dst!r} does not exist"))
        if sum(row.values()) > 1 + 1e-9:
            problems.append((("returns", "switch", src), f"switch probabilities add up to {sum(row.values()):g} > 1"))
    if not assisted:
        problems.append((("channels",), "at least one channel must be staffed (phone, chat or email)"))
    # Coverage and stability hold under the scenario's head counts and under every policy's staffing.
    for staffing, label in _staffings(s):
        found = _coverage(s, staffing) + _stability(s, staffing)
        problems.extend((path, message + label) for path, message in found if (path, message) not in problems)
        if found:
            break  # one staffing's problems are enough to fix; the others repeat them
    problems.extend(_retrial_loops(s))
    problems.extend(_policy_problems(s))
    problems.extend(_rule_problems(s))
    if s.uncertain and not problems:
        problems.extend(resolve_uncertain(s)[1])
    return problems


def _segment_problems(s: Scenario) -> list[Problem]:
    segments = s.demand.segments
    if not segments:
        return []
    problems: list[Problem] = []
    if s.demand.population is None:
        problems.append((("demand", "segments"), "segments are groups of customers: give 'population', not 'open'"))
    if sum(seg.share for seg in segments.values()) <= 0:
        problems.append((("demand", "segments"), "at least one segment must have a positive share"))
    population = s.demand.population
    for name, seg in segments.items():
        if seg.need_rate is not None and population is not None and population.need_rate <= 0:
            problems.append((("demand", "segments", name, "need_rate"), "a segment's need rate is relative to "
                             "demand.population.need_rate: give the population a positive need rate"))
        for key, known in (("needs", s.needs), ("channel_mix", s.channels)):
            row = getattr(seg, key)
            if row is None:
                continue
            for k in row:
                if k not in known:
                    problems.append((("demand", "segments", name, key, k), f"{k!r} does not exist"))
            if sum(row.values()) <= 0:
                problems.append((("demand", "segments", name, key), "at least one positive weight is needed"))
    return problems


def _head_count(team: Team, staffing: float) -> int:
    if team.agents is None:
        return 1  # staffed by rule: someone is rostered (hours no pattern covers are reported by cxsim staff)
    return int(round(team.agents * staffing))  # as cxsim/compiled.py staffs a team under a policy


def _staffings(s: Scenario) -> list[tuple[float, str]]:
    """Each staffing multiplier a run can use (the scenario's 1.0 first), with the words that name it."""
    out: list[tuple[float, str]] = [(1.0, "")]
    for name in s.policies:
        try:
            levers = resolve_policy(name, s.policies)
        except ValueError:
            continue  # reported by _policy_problems
        factor = multiplier(levers["staffing"])
        steps = [(factor, f" (under policy {name!r}, staffing {factor:g})")]
        for step in s.policies[name].interventions:
            if step.set is not None and step.set.staffing is not None:
                factor = multiplier(step.set.staffing)
                steps.append((factor, f" (under policy {name!r} from {step.at:g} min, staffing {factor:g})"))
        out.extend(x for x in steps if x[0] not in [y[0] for y in out])
    return out


def _coverage(s: Scenario, staffing: float) -> list[Problem]:
    """Every contact that can arrive in an assisted channel needs someone who can take it."""
    needs = set(s.needs)
    second_line = s.escalation.team if s.escalation.after > 0 else None  # serves escalated contacts only
    served = {(c, n) for name, t in s.teams.items() if _head_count(t, staffing) > 0 and name != second_line
              for c in t.channels for n in (t.needs or needs)}
    problems: list[Problem] = []
    for c in sorted(c for c, ch in s.channels.items() if ch.kind != "self_service"):
        missing = [n for n in sorted(needs) if (c, n) not in served]
        if missing and _reachable(s, c):
            problems.append((("channels", c), f"no team handles {', '.join(missing)} in channel {c!r}"))
    return problems


def _retrial_loops(s: Scenario) -> list[Problem]:
    """Refuse zero patience with certain, immediate retrial: the clock would never advance."""
    problems: list[Problem] = []
    for name, ch in s.channels.items():
        patience = ch.patience_distribution
        if patience is None or distribution_mean(patience) > 0:
            continue
        if ch.retrial.probability >= 1 and distribution_mean(ch.retrial.delay) <= 0:
            problems.append((("channels", name, "retrial"), "patience is zero and every caller retries at once: "
                             "simulated time would never advance (give patience or a retrial delay)"))
    return problems


def _policy_problems(s: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    if not s.policies:
        return [(("policies",), "list at least one policy (built in: " + ", ".join(BUILT_IN) + ")")]
    for name, policy in s.policies.items():
        try:
            resolve_policy(name, s.policies)
        except ValueError as exc:
            problems.append((("policies", name) + (() if policy.extends == name else ("extends",)), str(exc)))
        for i, step in enumerate(policy.interventions):
            if step.policy is not None and step.policy not in s.policies and step.policy not in BUILT_IN:
                problems.append((("policies", name, "interventions", i, "policy"),
                                 f"unknown policy {step.policy!r}"))
            if step.at >= s.horizon:
                problems.append((("policies", name, "interventions", i, "at"),
                                 f"at {step.at:g} min is not before the horizon ({s.horizon:g} min)"))
    return problems


def _rule_problems(s: Scenario) -> list[Problem]:
    """Staffing by rule: a rule-staffed team owns its channels; a staffing target needs such a team."""
    problems: list[Problem] = []
    ruled = [name for name, t in s.teams.items() if t.staffing is not None]
    for name in ruled:
        for i, c in enumerate(s.teams[name].channels):
            others = [o for o, t in s.teams.items() if o != name and c in t.channels]
            if others:
                problems.append((("teams", name, "channels", i), f"channel {c!r} is also served by {', '.join(others)}: "
                                 "a team staffed by rule must be the only team in its channels"))
    for name, policy in s.policies.items():
        if target_of(policy.staffing) is not None and not ruled:
            problems.append((("policies", name, "staffing"), "a staffing target needs a team staffed by rule "
                             "(teams.NAME.staffing); give a multiplier, or staff a team by rule"))
        for i, step in enumerate(policy.interventions):
            if step.set is not None and target_of(step.set.staffing) is not None:
                problems.append((("policies", name, "interventions", i, "set", "staffing"),
                                 "an intervention changes staffing by a multiplier, not a target"))
    return problems


def _reachable(s: Scenario, channel: str) -> bool:
    mix = s.demand.channel_mix
    if any((seg.channel_mix or {}).get(channel, 0) > 0 for seg in s.demand.segments.values()):
        return True
    if not mix or mix.get(channel, 0) > 0:
        return True
    return any(row.get(channel, 0) > 0 for row in s.returns.switch.values())


def _stability(s: Scenario, staffing: float = 1.0) -> list[Problem]:
    """Refuse a queue that can only grow: a channel nobody abandons whose first-contact load alone
    is at or above the capacity of the teams that serve it.

    Only checked when every serving team is on duty around the clock (no shift, or a 24-hour shift
    every day): otherwise the run is a transient, and a queue that builds overnight is something to
    see, not an error. Shared teams count fully for each channel they serve, so this errs on the
    side of accepting.
    """
    if s.demand.segments:
        return []  # segments bring their own rates and mixes: not checked here (errs on accepting)
    if s.demand.open is not None:
        rate = s.demand.open.rate
    else:
        assert s.demand.population is not None
        rate = s.demand.population.customers * s.demand.population.need_rate
    total_share = sum(n.share for n in s.needs.values()) or 1.0
    work = sum(n.share * distribution_mean(n.work_time) for n in s.needs.values()) / total_share
    mix = s.demand.channel_mix or {c: 1.0 for c in s.channels}
    total_mix = sum(mix.values()) or 1.0
    problems: list[Problem] = []
    for name, ch in s.channels.items():
        if ch.kind == "self_service" or ch.abandonment:
            continue
        teams = [t for t in s.teams.values() if name in t.channels and _head_count(t, staffing) > 0]
        if not teams or not all(_always_on(t) for t in teams):
            continue
        load = rate * mix.get(name, 0.0) / total_mix * work  # Erlangs of first-contact work
        capacity = sum(_head_count(t, staffing) * t.proficiency * ch.sessions for t in teams)
        if load >= capacity:
            problems.append((("channels", name), f"offered load {load:.4g} Erlangs is at or above the {capacity:g} "
                             "agents serving it and nobody abandons: the queue would grow without bound "
                             "(add agents or allow abandonment)"))
    return problems


def _always_on(team: Team) -> bool:
    if team.staffing is not None:
        return False  # rostered in shifts
    return team.shift is None or (team.shift.length >= 1440 and len(set(team.shift.days)) == 7)


# --- the JSON Schema for editors -----------------------------------------------------------------

def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario *files*, as editors check them (``cxsim schema``).

    pydantic's schema describes the validated model; a file may be written more loosely: policies
    as a list of names, ``mechanisms: off``, and ``extends:`` a base file, in which case every key
    may be inherited and none is required. Everything the loader accepts, this schema accepts.
    """
    schema = Scenario.model_json_schema()
    props = schema["properties"]
    props["policies"] = {"anyOf": [{"type": "array", "items": {"type": "string"}, "minItems": 1},
                                   props["policies"]],
                         "description": props["policies"].get("description", "")}
    props["mechanisms"] = {"anyOf": [{"type": "boolean"}, {"enum": ["on", "off"]}, props["mechanisms"]],
                           "description": "switch mechanisms one by one, or all at once: on / off"}
    # An uncertain range may be written as a pair [low, high] (uncertain.UncertainRange reads it).
    pair = {"type": "array", "items": {"type": ["number", "string"]}, "minItems": 2, "maxItems": 2}
    props["uncertain"] = {"anyOf": [{"type": "object", "additionalProperties": {
        "anyOf": [pair, {"$ref": "#/$defs/UncertainRange"}]}}, {"type": "null"}],
        "description": props.get("uncertain", {}).get("description", "")}
    extends = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
               "description": "base scenario file(s), relative to this one; this file says only what differs"}
    props["extends"] = extends
    # A variant (a file with `extends`) inherits its keys: the top level is the schema with nothing
    # required (what editors complete from), and a file without `extends` must also match the whole
    # schema. Discriminated unions become anyOf in the partial copy, since an override may omit the tag.
    defs = schema.pop("$defs")
    partial_defs = {f"{name}Partial": _partial(body) for name, body in defs.items()}
    whole = {k: v for k, v in schema.items() if k != "title"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cxsim scenario",
        **_partial(whole),
        "$defs": {**defs, **partial_defs, "Scenario": whole},
        "if": {"type": "object", "required": ["extends"]},
        "else": {"$ref": "#/$defs/Scenario"},
    }


def _partial(node: Any) -> Any:
    """A copy of a schema node with no required keys, referring to the partial definitions."""
    if isinstance(node, list):
        return [_partial(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "required" or key == "discriminator":
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            out[key] = value + "Partial"
        elif key == "oneOf":
            out["anyOf"] = _partial(value)
        elif key in ("properties", "$defs"):
            out[key] = {name: _partial(sub) for name, sub in value.items()}
        else:
            out[key] = _partial(value)
    return out
