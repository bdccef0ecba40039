"""Compiled parameters: a validated scenario turned into plain numbers and arrays.

Engines never read the scenario model: they read this. Names become indices, units are already
minutes, defaults that depend on a channel's kind are resolved, and profiles are one 168-slot
hour-of-week rate. Both engines are fed the same object, which is what lets them agree.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from .codes import (
    COEFFICIENTS, DIST_DETERMINISTIC, DIST_EMPIRICAL, DIST_EXPONENTIAL, DIST_LOGNORMAL, JOURNEY_RULES, OVERRUN_ACTIONS,
)
from .minutes import DAY, HOUR, MONTH
from .scenario.mechanisms import (
    Erosion, Experience, Loyalty, Mechanisms, Wellbeing, budget, budget_quantile, levers_as_run, resolve_policy,
)
from .scenario.progress import Ownership, Progress
from .scenario.staffing import multiplier
from .scenario.schema import Deterministic, Empirical, Exponential, Lognormal, Scenario

CHANNEL_KINDS = ("phone", "chat", "email", "self_service")
_EMPTY = np.zeros(0)


@dataclass(frozen=True)
class Dist:
    """A distribution as a kernel reads it: a kind code, two numbers and an optional sample."""
    kind: int
    a: float
    b: float = 0.0
    values: np.ndarray = field(default_factory=lambda: _EMPTY)
    mean: float = 0.0


def compile_distribution(d: Exponential | Lognormal | Deterministic | Empirical) -> Dist:
    if isinstance(d, Exponential):
        return Dist(DIST_EXPONENTIAL, d.mean, mean=d.mean)
    if isinstance(d, Lognormal):
        sigma2 = math.log1p(d.cv ** 2)
        return Dist(DIST_LOGNORMAL, math.log(d.mean) - sigma2 / 2, math.sqrt(sigma2), mean=d.mean)
    if isinstance(d, Deterministic):
        return Dist(DIST_DETERMINISTIC, d.value, mean=d.value)
    values = np.asarray(d.values, dtype=float)
    return Dist(DIST_EMPIRICAL, 0.0, 0.0, values, mean=float(values.mean()))


@dataclass(frozen=True)
class ChannelParams:
    name: str
    kind: str
    sessions: int
    slowdown: float
    patience: Dist | None
    retrial_probability: float
    retrial_delay: Dist
    target: float
    p_self: float
    expected_wait: float


@dataclass(frozen=True)
class TeamParams:
    name: str
    agents: int                  # head count under the policy's staffing at the start
    base_agents: int             # head count in the scenario (staffing 1.0)
    channels: tuple[int, ...]
    needs: tuple[int, ...]
    proficiency: float
    cost_per_minute: float
    #: On-duty intervals within one week, in minutes from Monday 00:00; ``None`` = always.
    shifts: tuple[tuple[float, float], ...] | None
    #: Breaks within each shift: (minutes after its start, length); agents start each one spread
    #: evenly over ``break_stagger`` minutes (:mod:`cxsim.kernels.breaks`).
    breaks: tuple[tuple[float, float], ...] = ()
    break_stagger: float = 0.0
    skill_use: float = 1.0       # share of the agents' skill the work uses (engagement)


@dataclass(frozen=True)
class Levers:
    """A policy's levers, as the engine applies them."""
    budget: float            # handle-time target in minutes (inf: none)
    overrun: int             # kernels.handling.OVERRUN_*
    ownership: bool
    pinned: bool             # the standard cannot erode
    empathy: float           # minutes added to each answered encounter
    staffing: float
    support: float           # wellbeing support: recovery ×, upset ÷
    transfer_overhead: float
    case_notes: float        # share of the work done that reaches a new agent (mechanisms.levers_as_run)
    #: The handle-time budget per need type in minutes (inf: none): ``budget`` for every type, or the
    #: quantile of each type's work time that a ``pNN`` target names (see :func:`work_quantile`).
    need_budget: tuple[float, ...] = ()


_OVERRUN = {name: code for code, name in enumerate(OVERRUN_ACTIONS)}
_RULES = {name: code for code, name in enumerate(JOURNEY_RULES)}


def work_quantile(d: "Dist", q: float) -> float:
    """The ``q`` quantile (0 < q < 1) of a compiled work-time distribution, exactly.

    Lognormal: ``exp(mu + sigma * z_q)``; exponential: ``-mean * log(1 - q)``; deterministic: the
    value; empirical: the smallest sample with at least ``q`` of the samples at or below it.
    """
    from scipy.stats import norm

    if d.kind == DIST_LOGNORMAL:
        return float(math.exp(d.a + d.b * norm.ppf(q)))
    if d.kind == DIST_EXPONENTIAL:
        return float(-d.a * math.log1p(-q))
    if d.kind == DIST_DETERMINISTIC:
        return float(d.a)
    return float(np.quantile(d.values, q, method="inverted_cdf"))


def compile_levers(levers: dict, need_work: tuple["Dist", ...] = ()) -> Levers:
    """``levers`` as run (:func:`cxsim.scenario.mechanisms.levers_as_run`): every lever has its value."""
    q = budget_quantile(levers)
    flat = budget(levers)
    need_budget = tuple(flat if q is None else work_quantile(d, q) for d in need_work)
    return Levers(budget=budget(levers), overrun=_OVERRUN[levers["overrun"]], ownership=bool(levers["ownership"]),
                  pinned=levers["standard"] == "pinned", empathy=float(levers["empathy_time"]),
                  staffing=multiplier(levers["staffing"]), support=float(levers["wellbeing_support"]),
                  transfer_overhead=float(levers["transfer_overhead"]), need_budget=need_budget,
                  case_notes=float(levers["case_notes_share"]))


@dataclass(frozen=True)
class ProgressParams:
    """Carried progress and ownership (MODEL.md §5), times in minutes."""
    on: bool = False                  # mechanisms.progress: work done is kept for the next contact
    re_explain: float = 0.0           # work a repeat with a new agent adds
    callback_promise: float = 0.0     # an owner calls back this long after the unsolved contact (0: when the
    #                                   customer would have come back)
    owned_give_up: float = 0.0        # give-up probability of an owned need


@dataclass(frozen=True)
class EscalationParams:
    """Escalation to a second-line team (MODEL.md §5); ``after`` 0: off."""
    after: int = 0                    # failed contacts of a need before its next contact goes to second line
    team: int = -1                    # index of the second-line team (it serves only the escalated queues)


def compile_progress(on: bool, pr: Progress, ow: Ownership) -> ProgressParams:
    return ProgressParams(on=bool(on), re_explain=float(pr.re_explain),
                          callback_promise=float(ow.callback_promise), owned_give_up=float(ow.give_up))

@dataclass(frozen=True)
class ErosionParams:
    """Work pressure and eroding standards (MODEL.md §5), times in minutes."""
    alpha: float
    alpha_slack: float
    standard_down: float     # time constant of the standard eroding
    standard_up: float       # time constant of recovery (inf: never)
    interval: float          # how often pressure and standards are updated
    smoothing: float         # time constant of perceived pressure
    clear_time: float        # the backlog should be cleared within this


@dataclass(frozen=True)
class WellbeingParams:
    """Energy W and its effects (MODEL.md §4); rates per minute, times in minutes."""
    initial: float
    drain: float             # W lost per busy minute
    pressure_drain: float
    upset_hit: float
    upset_below: float       # encounter score that upsets the agent
    recover_idle: float      # share of the gap to 1 closed per idle minute
    recover_off: float       # ... per minute off duty
    boreout_below: float
    boreout_rate: float      # W lost per minute of a bored day
    speed_onset: float
    speed_loss: float
    quality_onset: float
    quality_loss: float
    burnout_below: float
    burnout_after: float
    absence: Dist
    attrition_per_year: float
    attrition_sensitivity: float
    hiring_delay: float
    rookie_start: float
    ramp_up: float
    strain: "StrainParams"   # the slow time scale beside W
    hiring_cost: float = 0.0  # per hire
    collapse_absent_share: float = 0.25  # a replication 'collapsed': this share off sick at some midnight
    engagement: "EngagementParams | None" = None  # engagement E (None: off)
    recover_break: float = 0.0   # share of the gap to 1 closed per minute of a break
    sickness: "SicknessParams | None" = None  # baseline sickness absence (None: off)


@dataclass(frozen=True)
class SicknessParams:
    """Baseline sickness absence (MODEL.md §4, :mod:`cxsim.kernels.sickness`)."""
    chance: float            # probability per agent-day that a spell begins
    mean_days: float         # mean length of a spell, whole days (≥ 1)


@dataclass(frozen=True)
class StrainParams:
    """Chronic strain S (MODEL.md §4, :mod:`cxsim.kernels.strain`); rates per day."""
    on: bool
    low_below: float
    per_low_day: float
    sustainable: float
    per_overload_day: float
    load_days: float
    recover_working: float
    recover_off: float
    burnout_above: float
    absence: Dist
    attrition_sensitivity: float
    per_upset: float = 0.0          # strain per upset customer in a day
    contract: float = 480.0         # contracted minutes on duty a day; beyond it is overtime
    per_overtime_hour: float = 0.0  # strain per overtime hour
    quality_loss: float = 0.0       # resolution × (1 − this · S)


@dataclass(frozen=True)
class EngagementParams:
    """Engagement E (MODEL.md §4, :mod:`cxsim.kernels.engagement`); rates per day worked."""
    bored_below: float
    per_bored_day: float
    recover_per_day: float
    attrition_sensitivity: float
    quality_loss: float = 0.0       # resolution × (1 − this · (1 − E))
    empathy_sensitivity: float = 0.0  # empathy time × max(0, 1 − this · (1 − E)) (kernels.empathy)


@dataclass(frozen=True)
class ExperienceParams:
    """Encounter and journey scores, recommendation and survey (MODEL.md §6–§7)."""
    journey_rule: int        # codes.RULE_*
    neutral: float
    loss_aversion: float
    weight_wait: float
    weight_resolution: float
    weight_empathy: float
    weight_effort: float
    expectation_sd: float
    recommend_spread: float
    survey_rate: float
    survey_extremity: float
    expectation_weight: float
    coefficients: np.ndarray     # the encounter score's named coefficients (kernels.experience.COEFFICIENTS)


@dataclass(frozen=True)
class LoyaltyParams:
    """Relationship balance, churn and word of mouth (MODEL.md §8)."""
    comparison_level: float
    learning: float
    churn_per_month: float
    background_hazard: float  # background churn per customer-minute
    journey_churn: float
    sensitivity: float
    effort_multiplier: float
    high_effort_contacts: int
    referral: float
    deterrence: float
    value_per_month: float
    churn_window_days: float  # how long after a journey its effect on churn is counted


@dataclass(frozen=True)
class CustomerParams:
    """Segments, channel choice and learnt expectations (MODEL.md §2); index 0.. per segment.

    Without ``demand.segments`` there is one segment that is today's population: rate factor 1,
    the scenario's need and channel mixes, patience and wait factors 1, the loyalty value.
    """
    names: tuple[str, ...]
    segmented: bool              # the scenario lists segments (revenue then weighs each segment's value)
    share_cdf: np.ndarray        # cumulative shares: a new customer's segment
    rate_factor: np.ndarray      # need rate relative to the population's need_rate
    need_cdf: np.ndarray         # [segment, need type] cumulative need mix
    channel_weight: np.ndarray   # [segment, channel] channel preference (relative weights)
    channel_cdf: np.ndarray      # [segment, channel] the same, cumulative (the fixed mix)
    expectation: np.ndarray      # centre of the expectation level X per segment
    wait_factor: np.ndarray      # multiplier on the waits the segment expects
    patience: np.ndarray         # multiplier on patience
    value: np.ndarray            # revenue per customer-month
    expected_wait: np.ndarray    # [channel] a new customer's expected wait (brand promise or the channel's)
    wait_norm: np.ndarray        # [channel] the channel's expected_wait: the scale of its waits in choice
    wait_sensitivity: float      # logit coefficient on expected wait / wait_norm (0: fixed mix)
    wait_learning: float         # share of the gap to the experienced wait closed after an encounter
    acquisition_cost: float      # per churned customer (net_value)


def compile_customers(s: Scenario, channel_cdf: np.ndarray, need_cdf: np.ndarray) -> CustomerParams:
    """The segments as arrays (one default segment when the scenario lists none)."""
    d, c = s.demand, s.customers
    channel_names, need_names = tuple(s.channels), tuple(s.needs)
    default_mix = np.array([d.channel_mix.get(ch, 0.0) if d.channel_mix else 1.0 for ch in channel_names])
    expected = np.array([ch.expected for ch in s.channels.values()], dtype=float)
    promise = np.array([c.brand_promise.get(name, ch.expected) for name, ch in s.channels.items()], dtype=float)
    base_rate = d.population.need_rate if d.population else 0.0
    neutral = float(s.experience.neutral)
    value = float(s.loyalty.value_per_month)
    if not d.segments:
        return CustomerParams(
            names=("all",), segmented=False, share_cdf=np.array([1.0]), rate_factor=np.array([1.0]),
            need_cdf=need_cdf.reshape(1, -1).copy(), channel_weight=default_mix.reshape(1, -1),
            channel_cdf=channel_cdf.reshape(1, -1).copy(), expectation=np.array([neutral]),
            wait_factor=np.array([1.0]), patience=np.array([1.0]), value=np.array([value]), expected_wait=promise,
            wait_norm=expected, wait_sensitivity=float(c.wait_sensitivity), wait_learning=float(c.wait_learning),
            acquisition_cost=float(c.acquisition_cost))
    segs = list(d.segments.values())
    needs = [np.array([seg.needs.get(n, 0.0) for n in need_names]) if seg.needs is not None
             else np.array([x.share for x in s.needs.values()]) for seg in segs]
    mixes = [np.array([seg.channel_mix.get(ch, 0.0) for ch in channel_names]) if seg.channel_mix is not None
             else default_mix for seg in segs]
    return CustomerParams(
        names=tuple(d.segments), segmented=True, share_cdf=_cdf(np.array([seg.share for seg in segs])),
        rate_factor=np.array([(seg.need_rate / base_rate if base_rate > 0 else 0.0) if seg.need_rate is not None
                              else 1.0 for seg in segs]),
        need_cdf=np.vstack([_cdf(x) for x in needs]), channel_weight=np.vstack(mixes),
        channel_cdf=np.vstack([_cdf(x) for x in mixes]),
        expectation=np.array([neutral if seg.expectation is None else seg.expectation for seg in segs]),
        wait_factor=np.array([seg.expected_wait for seg in segs]), patience=np.array([seg.patience for seg in segs]),
        value=np.array([value if seg.value_per_month is None else seg.value_per_month for seg in segs]),
        expected_wait=promise, wait_norm=expected, wait_sensitivity=float(c.wait_sensitivity),
        wait_learning=float(c.wait_learning), acquisition_cost=float(c.acquisition_cost))


def compile_erosion(e: Erosion) -> ErosionParams:
    return ErosionParams(alpha=float(e.alpha), alpha_slack=float(e.alpha_slack), standard_down=float(e.standard_down),
                         standard_up=math.inf if e.standard_up is None else float(e.standard_up),
                         interval=float(e.interval), smoothing=float(e.smoothing), clear_time=float(e.clear_time))


def compile_wellbeing(w: Wellbeing) -> WellbeingParams:
    return WellbeingParams(
        initial=float(w.initial), drain=w.drain_per_busy_hour / HOUR, pressure_drain=float(w.pressure_drain),
        upset_hit=float(w.upset_hit), upset_below=float(w.upset_below), recover_idle=w.recover_idle_per_hour / HOUR,
        recover_off=w.recover_off_per_hour / HOUR, boreout_below=float(w.boreout_below),
        boreout_rate=w.boreout_per_day / DAY, speed_onset=float(w.speed_onset), speed_loss=float(w.speed_loss),
        quality_onset=float(w.quality_onset), quality_loss=float(w.quality_loss), burnout_below=float(w.burnout_below),
        burnout_after=float(w.burnout_after), absence=compile_distribution(w.absence),
        attrition_per_year=float(w.attrition_per_year), attrition_sensitivity=float(w.attrition_sensitivity),
        hiring_delay=float(w.hiring_delay), rookie_start=float(w.rookie_start), ramp_up=float(w.ramp_up),
        strain=compile_strain(w), hiring_cost=float(w.hiring_cost),
        collapse_absent_share=float(w.collapse_absent_share),
        engagement=EngagementParams(
            bored_below=float(w.engagement.bored_below), per_bored_day=float(w.engagement.per_bored_day),
            recover_per_day=float(w.engagement.recover_per_day),
            attrition_sensitivity=float(w.engagement.attrition_sensitivity),
            quality_loss=float(w.engagement.quality_loss),
            empathy_sensitivity=float(w.engagement.empathy_sensitivity)) if w.engagement.enabled else None,
        recover_break=w.recover_break_per_hour / HOUR,
        sickness=SicknessParams(chance=min(1.0, w.sickness.rate * DAY), mean_days=w.sickness.mean_length / DAY)
        if w.sickness.rate > 0 else None)


def compile_strain(w: Wellbeing) -> StrainParams:
    s = w.strain
    return StrainParams(
        on=bool(s.enabled), low_below=float(s.low_below), per_low_day=float(s.per_low_day),
        sustainable=float(s.sustainable_occupancy), per_overload_day=float(s.per_overload_day),
        load_days=float(s.load_days), recover_working=float(s.recover_per_workday),
        recover_off=float(s.recover_per_day_off), burnout_above=float(s.burnout_above),
        absence=compile_distribution(s.absence), attrition_sensitivity=float(s.attrition_sensitivity),
        per_upset=float(s.per_upset), contract=float(s.contract_per_day),
        per_overtime_hour=float(s.per_overtime_hour), quality_loss=float(s.quality_loss))


def compile_experience(x: Experience) -> ExperienceParams:
    return ExperienceParams(
        journey_rule=_RULES[x.journey_rule], neutral=float(x.neutral), loss_aversion=float(x.loss_aversion),
        weight_wait=float(x.weight_wait), weight_resolution=float(x.weight_resolution),
        weight_empathy=float(x.weight_empathy), weight_effort=float(x.weight_effort),
        expectation_sd=float(x.expectation_sd), recommend_spread=float(x.recommend_spread),
        survey_rate=float(x.survey_rate), survey_extremity=float(x.survey_extremity),
        expectation_weight=float(x.expectation_weight),
        coefficients=np.array([float(getattr(x, name)) for name in COEFFICIENTS]))


def compile_loyalty(lo: Loyalty) -> LoyaltyParams:
    return LoyaltyParams(
        comparison_level=float(lo.comparison_level), learning=float(lo.learning),
        churn_per_month=float(lo.churn_per_month), background_hazard=-math.log1p(-lo.churn_per_month) / MONTH,
        journey_churn=float(lo.journey_churn), sensitivity=float(lo.sensitivity),
        effort_multiplier=float(lo.effort_multiplier), high_effort_contacts=int(lo.high_effort_contacts),
        referral=float(lo.referral), deterrence=float(lo.deterrence), value_per_month=float(lo.value_per_month),
        churn_window_days=lo.churn_window / DAY)


@dataclass(frozen=True)
class ManagementParams:
    """A policy's management (MODEL.md §9) as kernels.management reads it; times in minutes."""
    cycle: float
    measurement_delay: float
    implementation_delay: float
    survey_sample: int
    survey: bool                 # NPS from the survey's respondents (biased), or from every journey
    rule_kpi: np.ndarray         # per rule: KPI code (kernels.management.K_*)
    rule_target: np.ndarray
    rule_lever: np.ndarray       # per rule: lever code (kernels.management.L_*)
    rule_step: np.ndarray
    low: np.ndarray              # per lever: limits
    high: np.ndarray
    initial: np.ndarray          # per lever: the policy's values at time 0
    reviews: np.ndarray          # the review times (cuts of the daily table before the horizon)
    fcr_window: float = 7 * 1440.0  # FCR measured as "no repeat contact within this long" (kernels.fcr)
    tickbox_bias: float = 0.0    # probability an agent ticks "solved" when the contact did not solve the need


def compile_management(s: Scenario, policy: str, levers: Levers, cuts: np.ndarray) -> ManagementParams | None:
    from .scenario.mechanisms import KPIS, LEVER_LIMITS, MANAGED_LEVERS

    spec = s.policies.get(policy)
    m = spec.management if spec else None
    if m is None:
        return None
    limits = {**LEVER_LIMITS, **m.limits}
    reviews = np.array([c for c in cuts if c % m.cycle == 0 and c > 0], dtype=float)
    return ManagementParams(
        cycle=float(m.cycle), measurement_delay=float(m.measurement_delay),
        implementation_delay=float(m.implementation_delay), survey_sample=int(m.survey_sample),
        survey=m.nps_from == "respondents",
        rule_kpi=np.array([KPIS.index(r.kpi) for r in m.rules], dtype=np.int64),
        rule_target=np.array([float(r.target) for r in m.rules]),
        rule_lever=np.array([MANAGED_LEVERS.index(r.lever) for r in m.rules], dtype=np.int64),
        rule_step=np.array([float(r.step) for r in m.rules]),
        low=np.array([float(limits[name][0]) for name in MANAGED_LEVERS]),
        high=np.array([float(limits[name][1]) for name in MANAGED_LEVERS]),
        initial=np.array([levers.budget, levers.staffing, levers.support, levers.empathy]), reviews=reviews,
        fcr_window=float(m.fcr_window), tickbox_bias=float(m.tickbox_bias))


def mean_of_mix(cdf: np.ndarray, dists: tuple[Dist, ...]) -> float:
    """Mean of a mixture given by its cumulative shares, added left to right (engines must agree to the bit)."""
    total, previous = 0.0, 0.0
    for c, d in zip(cdf, dists):
        total += (c - previous) * d.mean
        previous = c
    return total


def period_cuts(horizon: float, warmup: float) -> np.ndarray:
    """Times that close a row of the daily table: every midnight, and the end of the warm-up."""
    cuts = sorted({d * DAY for d in range(1, int(math.ceil(horizon / DAY)))} | {warmup} - {0.0})
    return np.array([c for c in cuts if c < horizon], dtype=float)


@dataclass(frozen=True)
class Params:
    name: str
    horizon: float
    warmup: float
    week_rate: np.ndarray        # 168 arrival rates per minute (per customer with a population)
    week_profile: np.ndarray     # the same shape with mean 1: customers' own clock for delays
    wall_clock: bool             # customers' delays in plain minutes instead of along week_profile
    change_at: np.ndarray        # demand factor changes (spikes): times ...
    factor: np.ndarray           # ... and the factor from each on
    population: int              # 0: open arrivals
    need_names: tuple[str, ...]
    need_cdf: np.ndarray         # cumulative shares of need types
    need_work: tuple[Dist, ...]
    need_resolution: np.ndarray  # base resolution probability per need type
    channels: tuple[ChannelParams, ...]
    channel_cdf: np.ndarray      # first-contact channel choice
    switch_cdf: np.ndarray       # [from, to] cumulative: where a returning need comes back
    return_delay: Dist
    give_up: float
    teams: tuple[TeamParams, ...]
    policy: str
    #: The policy over time: (from minute, levers), the first from 0.
    timeline: tuple[tuple[float, Levers], ...]
    mechanisms: Mechanisms
    erosion: ErosionParams
    wellbeing: WellbeingParams
    experience: ExperienceParams
    loyalty: LoyaltyParams
    journey_rule: int
    mean_work: float             # mean work per need (the required capacity behind work pressure)
    quality_gap: np.ndarray      # the delivered-quality table: time gap (given − needed) / needed ...
    quality_level: np.ndarray    # ... and the quality delivered there
    cuts: np.ndarray             # times that close a row of the daily table
    customers: CustomerParams    # segments, channel choice, learnt expectations (MODEL.md §2)
    management: ManagementParams | None = None  # reviews that move levers (None: no management)
    progress: ProgressParams = field(default_factory=ProgressParams)  # carried progress and ownership
    escalation: EscalationParams = field(default_factory=EscalationParams)  # second line (after 0: off)

    @property
    def levers(self) -> Levers:
        return self.timeline[0][1]

    @property
    def queue_count(self) -> int:
        # With escalation on, a second block of (channel, need) queues that only the second line serves.
        n = len(self.channels) * len(self.need_names)
        return 2 * n if self.escalation.after > 0 else n

    def queue_of(self, channel: int, need: int, escalated: bool = False) -> int:
        q = channel * len(self.need_names) + need
        return q + len(self.channels) * len(self.need_names) if escalated else q

    def team_queue_of(self, team: int, channel: int, need: int) -> int:
        """The queue a team serves for (channel, need): the escalated one for the second-line team."""
        return self.queue_of(channel, need, self.escalation.after > 0 and team == self.escalation.team)

    def escalation_serves(self) -> np.ndarray:
        """Per first-line queue: whether the second-line team serves its (channel, need) (else no escalation)."""
        n = len(self.channels) * len(self.need_names)
        serves = np.zeros(n, dtype=np.bool_)
        if self.escalation.after > 0:
            t = self.teams[self.escalation.team]
            for c in t.channels:
                for k in t.needs:
                    serves[self.queue_of(c, k)] = True
        return serves


def _profile(weights: list[float] | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=float)
    return w / w.mean()


def _cdf(weights: np.ndarray) -> np.ndarray:
    c = np.cumsum(weights, dtype=float)
    c /= c[-1]
    c[-1] = 1.0
    return c


def _spikes(spikes) -> tuple[np.ndarray, np.ndarray]:
    """Piecewise-constant demand factor: overlapping spikes multiply."""
    times = sorted({t for sp in spikes for t in (sp.start, sp.start + sp.length)})
    factors = [math.prod(sp.factor for sp in spikes if sp.start <= t < sp.start + sp.length) for t in times]
    return np.array(times, dtype=float), np.array(factors, dtype=float)


def policy_timeline(s: Scenario, policy: str) -> tuple[tuple[float, Levers], ...]:
    """A policy's levers from time 0, then after each of its interventions."""
    levers = resolve_policy(policy, s.policies)
    need_work = tuple(compile_distribution(x.work_time) for x in s.needs.values())
    notes = s.progress.case_notes_share  # the case-notes lever's value where a policy leaves it unset
    timeline = [(0.0, compile_levers(levers_as_run(levers, notes), need_work))]
    spec = s.policies.get(policy)
    for step in sorted(spec.interventions if spec else [], key=lambda i: i.at):
        if step.policy is not None:
            levers = resolve_policy(step.policy, s.policies)
        else:
            levers = {**levers, **{k: v for k, v in step.set.model_dump().items() if k in step.set.model_fields_set}}
        timeline.append((step.at, compile_levers(levers_as_run(levers, notes), need_work)))
    return tuple(timeline)


def compile_escalation(s: Scenario) -> EscalationParams:
    e = s.escalation
    if e.after == 0 or e.team is None:
        return EscalationParams()
    return EscalationParams(after=int(e.after), team=list(s.teams).index(e.team))


def compile_scenario(s: Scenario, policy: str | None = None) -> Params:
    """Resolve a validated scenario, run under one of its policies, into the numbers the engines run on."""
    policy = policy or next(iter(s.policies))
    timeline = policy_timeline(s, policy)
    staffing = timeline[0][1].staffing
    need_names = tuple(s.needs)
    channel_names = tuple(s.channels)
    ci = {c: i for i, c in enumerate(channel_names)}
    ni = {n: i for i, n in enumerate(need_names)}

    demand = s.demand
    base_rate = demand.open.rate if demand.open else demand.population.need_rate  # type: ignore[union-attr]
    hourly, weekly = _profile(demand.hourly_profile, 24), _profile(demand.weekly_profile, 7)
    week_profile = np.outer(weekly, hourly).ravel()
    week_rate = base_rate * week_profile
    change_at, factor = _spikes(demand.spikes)

    channels = []
    for name, ch in s.channels.items():
        patience = ch.patience_distribution
        channels.append(ChannelParams(
            name=name, kind=ch.kind, sessions=ch.sessions, slowdown=ch.slowdown,
            patience=compile_distribution(patience) if patience else None,
            retrial_probability=ch.retrial.probability, retrial_delay=compile_distribution(ch.retrial.delay),
            target=ch.target, p_self=ch.p_self or 0.0, expected_wait=ch.expected))

    mix = np.array([demand.channel_mix.get(c, 0.0) if demand.channel_mix else 1.0 for c in channel_names])
    n = len(channel_names)
    switch = np.eye(n)
    for src, row in s.returns.switch.items():
        i = ci[src]
        switch[i, :] = 0.0
        for dst, p in row.items():
            switch[i, ci[dst]] += p
        switch[i, i] += 1.0 - sum(row.values())
    # A failed self-service attempt must continue with a person: where the scenario keeps it in
    # self-service, spread it over the assisted channels by the first-contact mix instead.
    assisted = np.array([ch.kind != "self_service" for ch in s.channels.values()], dtype=float)
    fallback = mix * assisted if (mix * assisted).sum() > 0 else assisted
    for i, ch in enumerate(s.channels.values()):
        if ch.kind == "self_service" and switch[i, i] > 0:
            stay = switch[i, i]
            switch[i, i] = 0.0
            switch[i] += stay * fallback / fallback.sum()
    switch_cdf = np.vstack([_cdf(row) for row in switch])

    def shifts(team) -> tuple[tuple[float, float], ...] | None:
        if team.shift is None:
            return None
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        return tuple(sorted((days.index(d) * DAY + team.shift.start, days.index(d) * DAY + team.shift.start + team.shift.length)
                            for d in team.shift.days))

    def paid_share(team) -> float:
        """Paid minutes per minute on duty: breaks are paid but off duty (1 without breaks)."""
        if team.shift is None or not team.shift.breaks:
            return 1.0
        return team.shift.length / (team.shift.length - sum(b.length for b in team.shift.breaks))

    teams = tuple(TeamParams(
        name=name, agents=int(round(t.agents * staffing)), base_agents=t.agents, channels=tuple(ci[c] for c in t.channels),
        needs=tuple(ni[x] for x in (t.needs or need_names)), proficiency=t.proficiency,
        cost_per_minute=t.cost_per_hour / HOUR * paid_share(t), shifts=shifts(t),
        breaks=tuple((b.after, b.length) for b in sorted(t.shift.breaks, key=lambda b: b.after)) if t.shift else (),
        break_stagger=float(t.shift.stagger) if t.shift else 0.0, skill_use=float(t.skill_use))
        for name, t in s.teams.items() if t.staffing is None)

    need_cdf = _cdf(np.array([x.share for x in s.needs.values()]))
    need_work = tuple(compile_distribution(x.work_time) for x in s.needs.values())
    warmup = 0.0 if s.warmup == "auto" else float(s.warmup)
    params = Params(
        name=s.name, horizon=s.horizon, warmup=warmup, week_rate=week_rate, week_profile=week_profile,
        wall_clock=s.clock == "wall",
        change_at=change_at, factor=factor,
        population=demand.population.customers if demand.population else 0,
        need_names=need_names, need_cdf=need_cdf, need_work=need_work,
        need_resolution=np.array([x.resolution for x in s.needs.values()]),
        channels=tuple(channels), channel_cdf=_cdf(mix), switch_cdf=switch_cdf,
        return_delay=compile_distribution(s.returns.delay), give_up=s.returns.give_up, teams=teams,
        policy=policy, timeline=timeline, mechanisms=s.mechanisms, erosion=compile_erosion(s.erosion),
        wellbeing=compile_wellbeing(s.wellbeing), experience=compile_experience(s.experience),
        loyalty=compile_loyalty(s.loyalty), journey_rule=_RULES[s.experience.journey_rule],
        mean_work=mean_of_mix(need_cdf, need_work), cuts=period_cuts(s.horizon, warmup),
        quality_gap=np.array(s.resolution.quality_gap, dtype=float),
        quality_level=np.array(s.resolution.quality_level, dtype=float),
        customers=compile_customers(s, _cdf(mix), need_cdf),
        management=compile_management(s, policy, timeline[0][1], period_cuts(s.horizon, warmup)),
        progress=compile_progress(s.mechanisms.progress, s.progress, s.ownership),
        escalation=compile_escalation(s))
    if any(t.staffing is not None for t in s.teams.values()):
        params = staff_by_rule(s, params)
    return params


def staff_by_rule(s: Scenario, p: Params, plans: dict | None = None) -> Params:
    """Teams staffed by rule become one team group per rostered shift pattern (cxsim/staffing), in the
    scenario's team order, each with the pattern's shift: what the engines already run. ``plans``: the
    team plans to use (default: the policy's, from cxsim/staffing)."""
    from .staffing.plan import plan_teams, team_groups

    if plans is None:
        plans = plan_teams(s, p, resolve_policy(p.policy, s.policies))
    by_name = {t.name: t for t in p.teams}
    teams: list[TeamParams] = []
    for name, t in s.teams.items():
        if t.staffing is None:
            teams.append(by_name[name])
        else:
            ci = {c.name: i for i, c in enumerate(p.channels)}
            ni = {n: i for i, n in enumerate(p.need_names)}
            teams.extend(team_groups(plans[name], t, tuple(ci[c] for c in t.channels),
                                     tuple(ni[x] for x in (t.needs or p.need_names)), p.levers.staffing))
    return dataclasses.replace(p, teams=tuple(teams))