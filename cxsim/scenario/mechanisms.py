"""Scenario sections for the process-versus-experience mechanisms (MODEL.md §4–§9).

Each mechanism has a switch in ``mechanisms:`` and a parameter block with the MODEL.md defaults
(*calibrate* values are starting points). Policies are named bundles of levers; ``efficiency``
and ``encounter`` are built in, and a scenario may define its own by extending them.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, WithJsonSchema, field_validator, model_validator

from .staffing import StaffingTarget
from .units import DURATION_PATTERN, parse_duration
from .types import Distribution, Exponential, NonNegativeDuration, PositiveDuration, Probability, Strict
from .types import Duration, NonNegativeRate

from ..quality_table import QUALITY_GAP, QUALITY_LEVEL
from ..minutes import WEEK


class Mechanisms(Strict):
    """Switches: with every mechanism off the model is exactly the queueing core.

    ``mechanisms: off`` (or ``on``) sets them all at once.
    """
    handling: bool = Field(True, description="policy time budget, overrun action, ownership, empathy time")
    progress: bool = Field(True, description="work done on an unsolved need is kept for its next contact "
                                             "(all with ownership, case notes otherwise), plus re-explaining")
    erosion: bool = Field(True, description="work pressure, corner cutting and eroding standards")
    wellbeing: bool = Field(True, description="agent wellbeing, boreout, burnout absence, attrition, rookies")
    experience: bool = Field(True, description="encounter and journey scores, likelihood to recommend, NPS")
    loyalty: bool = Field(True, description="relationship balance, churn, word of mouth, revenue (population only)")

    @model_validator(mode="before")
    @classmethod
    def _all_at_once(cls, value: Any) -> Any:
        if isinstance(value, bool) or value in ("on", "off"):
            on = value is True or value == "on"
            return {name: on for name in ("handling", "erosion", "wellbeing", "experience", "loyalty", "progress")}
        return value


class Erosion(Strict):
    alpha: float = Field(-0.64, description="time given = standard · exp(alpha · pressure) under pressure")
    alpha_slack: float = Field(-0.1, description="the same under slack: slack buys back little time")
    standard_down: PositiveDuration = Field(19 * WEEK, description="time constant of the standard eroding")
    standard_up: PositiveDuration | None = Field(None, description="time constant of recovery (default never)")
    interval: PositiveDuration = Field(30.0, description="how often pressure and the standard are updated")
    smoothing: PositiveDuration = Field(240.0, description="time constant of perceived pressure")
    clear_time: PositiveDuration = Field(60.0, description="the backlog should be cleared within this")


class Strain(Strict):
    """Chronic strain S (weeks to months) beside daily energy W (MODEL.md §4); off by default."""
    enabled: bool = Field(False, description="chronic strain S: burnout absence is triggered by S, not by days of "
                                             "low W, and S raises the attrition hazard")
    low_below: Probability = Field(0.5, description="a day worked that ends with W below this adds strain")
    per_low_day: Annotated[float, Field(ge=0, le=1)] = Field(
        0.05, description="strain added by a day ending at W = 0 (share of the room left to 1)")
    sustainable_occupancy: Annotated[float, Field(gt=0, lt=1)] = Field(
        0.85, description="occupancy of recent days worked above which strain builds")
    per_overload_day: Annotated[float, Field(ge=0, le=1)] = Field(
        0.05, description="strain added per day worked at occupancy 1 (share of the room left to 1)")
    load_days: Annotated[float, Field(ge=1)] = Field(5.0, description="days worked the occupancy is smoothed over")
    recover_per_workday: Annotated[float, Field(ge=0)] = Field(
        0.01, description="share of S recovered on a day worked (× wellbeing support)")
    recover_per_day_off: Annotated[float, Field(ge=0)] = Field(
        0.05, description="share of S recovered per day off, on leave or off sick (× wellbeing support)")
    burnout_above: Probability = Field(0.6, description="burnout absence starts when S reaches this")
    absence: Distribution = Field(default_factory=lambda: Exponential(dist="exponential", mean=28 * 1440.0),
                                  description="length of a burnout absence")
    attrition_sensitivity: Annotated[float, Field(ge=0)] = Field(2.0, description="attrition hazard × exp(s·S)")
    per_upset: Annotated[float, Field(ge=0, le=1)] = Field(
        0.0005, description="strain added per customer who left the agent upset that day (share of the room "
                            "left; ÷ wellbeing support)")
    contract_per_day: PositiveDuration = Field(
        8 * 60.0, description="contracted time on duty a day; beyond it is overtime (rostered teams only)")
    per_overtime_hour: Annotated[float, Field(ge=0, le=1)] = Field(
        0.02, description="strain added per hour of overtime in a day (share of the room left)")
    quality_loss: Annotated[float, Field(ge=0, le=1)] = Field(
        0.3, description="resolution probability × (1 − this · S): chronic strain lowers quality")


class Engagement(Strict):
    """Engagement E per agent (MODEL.md §4): boreout and work below skill lower it; off by default."""
    enabled: bool = Field(False, description="engagement E: sustained low occupancy (boreout) and work below "
                                             "skill lower it, and low E raises the attrition hazard")
    bored_below: Annotated[float, Field(ge=0, le=1)] = Field(
        0.5, description="a day worked below this occupancy (× the team's skill_use) lowers E")
    per_bored_day: Annotated[float, Field(ge=0, le=1)] = Field(
        0.02, description="share of E lost on a day worked at occupancy 0 (less on a fuller day)")
    recover_per_day: Annotated[float, Field(ge=0, le=1)] = Field(
        0.02, description="share of the gap to 1 restored on any other day worked")
    attrition_sensitivity: Annotated[float, Field(ge=0)] = Field(
        2.0, description="attrition hazard × exp(s·(1 − E))")
    quality_loss: Annotated[float, Field(ge=0, le=1)] = Field(
        0.3, description="resolution probability × (1 − this · (1 − E)): a disengaged agent solves less")
    empathy_sensitivity: Annotated[float, Field(ge=0)] = Field(
        0.5, description="empathy time given × max(0, 1 − this · (1 − E)): a disengaged agent gives less time "
                         "for the person (E = 1: the lever in full)")


class Sickness(Strict):
    """Baseline sickness absence (MODEL.md §4, shrinkage; :mod:`cxsim.kernels.sickness`): off by default."""
    rate: Annotated[NonNegativeRate, Field(le=1 / 1440.0)] = Field(
        0.0, description="chance per agent-day that a sickness spell begins, e.g. '0.03 /d' (at most 1 /d); "
                         "0: off. The share of agent-days off sick is rate·L / (1 + rate·L)")
    mean_length: Annotated[Duration, Field(ge=1440.0)] = Field(
        2 * 1440.0, description="mean length L of a spell, in whole days (geometric; at least 1 d)")


class Wellbeing(Strict):
    initial: Probability = 0.8
    drain_per_busy_hour: Annotated[float, Field(ge=0)] = 0.03
    pressure_drain: Annotated[float, Field(ge=0)] = 1.5
    upset_hit: Annotated[float, Field(ge=0)] = 0.004
    upset_below: Annotated[float, Field(ge=0, le=10)] = Field(4.0, description="encounter score that upsets the agent")
    recover_idle_per_hour: Annotated[float, Field(ge=0)] = 0.3
    recover_off_per_hour: Annotated[float, Field(ge=0)] = 0.08
    boreout_below: Probability = Field(0.3, description="daily occupancy below which engagement falls")
    boreout_per_day: Annotated[float, Field(ge=0)] = 0.02
    speed_onset: Probability = 0.3
    speed_loss: Probability = 0.3
    quality_onset: Probability = 0.85
    quality_loss: Probability = 0.5
    burnout_below: Probability = 0.25
    burnout_after: PositiveDuration = Field(3 * 1440.0, description="time below the threshold before absence")
    absence: Distribution = Field(default_factory=lambda: Exponential(dist="exponential", mean=10 * 1440.0))
    attrition_per_year: Probability = 0.35
    attrition_sensitivity: Annotated[float, Field(ge=0)] = Field(2.5, description="hazard × exp(s·(initial − W))")
    hiring_delay: NonNegativeDuration = 6 * WEEK
    rookie_start: Probability = 0.35
    ramp_up: NonNegativeDuration = 12 * WEEK
    strain: Strain = Field(default_factory=Strain, description="chronic strain S beside the daily energy W")
    engagement: Engagement = Field(default_factory=Engagement, description="engagement E: boreout that matters")
    recover_break_per_hour: Annotated[float, Field(ge=0)] = Field(
        0.3, description="share of the gap to 1 of W closed per hour of a break within a shift (× support)")
    collapse_absent_share: Annotated[float, Field(gt=0, le=1)] = Field(
        0.25, description="a replication counts as a team collapse when, at some midnight in the window, at least "
                          "this share of the employed agents is off sick")
    hiring_cost: Annotated[float, Field(ge=0)] = Field(
        0.0, description="cost of recruiting and training one hire (a replacement or a head-count increase), "
                         "in the currency of cost_per_hour; subtracted in net_value")
    sickness: Sickness = Field(default_factory=Sickness,
                               description="baseline sickness absence, apart from burnout (off by default)")


class Experience(Strict):
    journey_rule: Literal["weakest", "peak_end", "mean"] = "weakest"
    neutral: Annotated[float, Field(ge=0, le=10)] = Field(7.0, description="score of an encounter that just meets expectations")
    loss_aversion: Annotated[float, Field(ge=1)] = 2.0
    weight_wait: Annotated[float, Field(ge=0)] = 1.0
    weight_resolution: Annotated[float, Field(ge=0)] = 1.5
    weight_empathy: Annotated[float, Field(ge=0)] = 1.0
    weight_effort: Annotated[float, Field(ge=0)] = 1.0
    expectation_sd: Annotated[float, Field(ge=0)] = Field(1.0, description="spread of customers' expectation X")
    recommend_spread: Annotated[float, Field(ge=0)] = 1.0
    survey_rate: Probability = Field(0.08, description="response rate of a lukewarm customer")
    survey_extremity: Annotated[float, Field(ge=0)] = Field(2.0, description="extra response at 0 or 10")
    # The encounter score's own coefficients (MODEL.md §6), each a stated parameter (calibrate):
    wait_worst_at: Annotated[float, Field(gt=1)] = Field(
        3.0, description="waiting scores −1 (the worst) at this many times the expected wait")
    empathy_time_weight: Annotated[float, Field(ge=0)] = Field(0.5, description="empathy gained from time for the person")
    empathy_time_full: Annotated[float, Field(gt=0)] = Field(1.0, description="minutes of empathy time that count in full")
    empathy_wellbeing_weight: Annotated[float, Field(ge=0)] = Field(
        0.5, description="empathy gained per unit of agent wellbeing above wellbeing_neutral")
    wellbeing_neutral: Probability = Field(0.7, description="agent wellbeing that neither adds nor takes empathy "
                                                             "(also stands in when no person answered)")
    rushed_penalty: Annotated[float, Field(ge=0)] = Field(4.0, description="empathy lost per share of the needed time "
                                                                          "not given")
    unanswered_empathy: Annotated[float, Field(le=0)] = Field(-0.5, description="empathy of a contact nobody answered")
    effort_per_repeat: Annotated[float, Field(ge=0)] = Field(0.35, description="effort added by each earlier contact "
                                                                              "about the same need")
    effort_per_transfer: Annotated[float, Field(ge=0)] = Field(0.5, description="effort added by each hand-off")
    expectation_weight: Annotated[float, Field(ge=0)] = Field(
        0.5, description="score points lost per point of a customer's expectation above neutral")


class Resolution(Strict):
    """Oliva & Sterman's (2001) delivered-quality table: quality delivered at a time gap (given − needed) / needed."""
    quality_gap: list[float] = Field(default_factory=lambda: list(QUALITY_GAP),
                                     description="time gaps, increasing, from −1 to 0")
    quality_level: list[float] = Field(default_factory=lambda: list(QUALITY_LEVEL),
                                       description="quality delivered at each gap (0–1, not decreasing)")

    @model_validator(mode="after")
    def _a_table(self) -> "Resolution":
        gap, level = self.quality_gap, self.quality_level
        if len(gap) != len(level) or len(gap) < 2:
            raise ValueError("quality_gap and quality_level need the same number of points (at least 2)")
        if any(b <= a for a, b in zip(gap, gap[1:])) or gap[0] < -1 or gap[-1] != 0:
            raise ValueError("quality_gap must increase from −1 or above and end at 0")
        if any(not 0 <= v <= 1 for v in level) or any(b < a for a, b in zip(level, level[1:])) or level[-1] != 1:
            raise ValueError("quality_level must be in 0–1, not decreasing, and end at 1 (no gap, full quality)")
        return self


class Loyalty(Strict):
    comparison_level: Annotated[float, Field(ge=0, le=10)] = 7.0
    learning: Probability = 0.3
    churn_per_month: Probability = 0.01
    journey_churn: Annotated[float, Field(ge=0)] = Field(0.005, description="churn hazard a journey adds at R = 0")
    sensitivity: Annotated[float, Field(ge=0)] = 0.6
    effort_multiplier: Annotated[float, Field(ge=1)] = 3.0
    high_effort_contacts: Annotated[int, Field(ge=2)] = 3
    referral: Probability = Field(0.06, description="chance a promoter's word of mouth brings a customer")
    deterrence: Probability = Field(0.02, description="chance a detractor's deters one (≈ 3:1)")
    value_per_month: Annotated[float, Field(ge=0)] = 30.0
    churn_window: PositiveDuration = Field(30 * 1440.0, description="how long after a journey its effect on churn "
                                                                   "is counted")


def _staffing_kind(value: Any) -> str:
    """A staffing lever is a target when it is a mapping, else a multiplier (one error, from the right kind)."""
    return "staffing-target" if isinstance(value, (dict, StaffingTarget)) else "staffing-multiplier"
#: A quantile of the work a need takes: ``p80`` is its 80th percentile (per need type).
QUANTILE_PATTERN = r"^p([1-9][0-9]?(\.[0-9]+)?)$"


def _budget_target(value: object) -> float | str:
    """A handle-time target: a positive duration, or ``pNN`` (a quantile of each need type's work)."""
    if isinstance(value, str) and value.strip().lower().startswith("p"):
        if re.fullmatch(QUANTILE_PATTERN, value.strip()):
            return value.strip()
        raise ValueError(f"{value!r} is not a quantile of the work: write 'p1' to 'p99', e.g. 'p80'")
    minutes = parse_duration(value)
    if not minutes > 0:
        raise ValueError("a handle-time target must be longer than 0 minutes")
    return minutes


BudgetTarget = Annotated[
    float | str, BeforeValidator(_budget_target),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                              {"type": "string", "pattern": DURATION_PATTERN},
                              {"type": "string", "pattern": QUANTILE_PATTERN}],
                    "description": "minutes, a duration string ('5 min'), or a quantile of each need type's "
                                   "work ('p80')"}),
]


class Levers(Strict):
    """The levers a policy sets; unset levers come from the policy it extends."""
    handle_time_target: BudgetTarget | None = Field(
        None, description="handle-time budget: minutes, or a quantile of each need type's work time ('p80')")
    overrun: Literal["close", "transfer", "continue"] | None = None
    ownership: bool | None = None
    standard: Literal["eroding", "pinned"] | None = None
    empathy_time: NonNegativeDuration | None = None
    staffing: Annotated[Annotated[Annotated[float, Field(gt=0)], Tag("staffing-multiplier")] | Annotated[StaffingTarget, Tag("staffing-target")],
                        Discriminator(_staffing_kind)] | None = Field(
        None, description="a multiplier on every team's head count, or a target ({service_level: 0.8, within: 20 s} "
                          "or {occupancy: 0.85}) that teams staffed by rule are rostered to")
    wellbeing_support: Annotated[float, Field(ge=1)] | None = Field(None, description="recovery × this, upset ÷ this")
    transfer_overhead: NonNegativeDuration | None = Field(None, description="re-explaining after a hand-off")
    case_notes_share: Probability | None = Field(
        None, description="share of the work done that reaches a new agent through case notes; unset: progress.case_notes_share")


class Intervention(Strict):
    """From time ``at`` on, run another policy or change levers (the seeds' step 4: follow-up)."""
    at: NonNegativeDuration
    policy: str | None = None
    set: Levers | None = None

    @model_validator(mode="after")
    def _does_something(self) -> "Intervention":
        if (self.policy is None) == (self.set is None):
            raise ValueError("give exactly one of 'policy' (switch to it) or 'set' (levers to change)")
        return self


#: What management can watch (MODEL.md §9), and the levers its rules can move.
KPIS = ("aht", "cost_per_contact", "nps", "contacts_per_need", "fcr_repeat", "fcr_tickbox")
MANAGED_LEVERS = ("handle_time_target", "staffing", "wellbeing_support", "empathy_time")
#: Each KPI's better direction: +1 lower is better, -1 higher is better (a rule reacts to the shortfall).
KPI_WORSE_IF_HIGHER = {"aht": 1.0, "cost_per_contact": 1.0, "nps": -1.0, "contacts_per_need": 1.0,
                       "fcr_repeat": -1.0, "fcr_tickbox": -1.0}
#: Default limits per lever (minutes for the handle-time target and empathy time).
LEVER_LIMITS = {"handle_time_target": (1.0, 60.0), "staffing": (0.5, 2.0), "wellbeing_support": (1.0, 3.0),
                "empathy_time": (0.0, 10.0)}


class Rule(Strict):
    """When ``kpi`` as measured misses ``target``, move ``lever`` by ``step`` per unit of shortfall."""
    kpi: Literal["aht", "cost_per_contact", "nps", "contacts_per_need", "fcr_repeat", "fcr_tickbox"] = Field(
        description="aht (minutes, from the system), cost_per_contact, nps (from the survey), contacts_per_need, "
                    "fcr_repeat (first-contact resolution as 'no repeat contact within fcr_window', from customer "
                    "ids), fcr_tickbox (first-contact resolution as the agents tick it)")
    target: float = Field(description="the KPI's target, in its own unit (minutes, money, NPS points, contacts, "
                                      "a share 0-1 for FCR)")
    lever: Literal["handle_time_target", "staffing", "wellbeing_support", "empathy_time"] = Field(
        description="the lever this rule moves")
    step: float = Field(description="lever change per unit of shortfall (measured worse than target: AHT, cost or "
                                    "contacts per need above it, NPS below it); negative to lower the lever. "
                                    "Above target the lever moves back the other way")


#: Built-in management blocks (``management: efficiency``): each a full block, written once here; a
#: block that names a ``preset`` starts from it and overrides what it gives (README "Management").
MANAGEMENT_PRESETS: dict[str, dict[str, Any]] = {
    "efficiency": {  # the efficiency focus: watches AHT and cost per contact
        "rules": [{"kpi": "aht", "target": 5.0, "lever": "handle_time_target", "step": -1.0},
                  {"kpi": "cost_per_contact", "target": 4.5, "lever": "staffing", "step": -0.02}],
        "implementation_delay": "2 d"},
    "encounter": {  # the encounter focus: watches measured NPS (the survey) and FCR (no repeat within 7 days)
        "rules": [{"kpi": "nps", "target": 40.0, "lever": "wellbeing_support", "step": 0.005},
                  {"kpi": "nps", "target": 40.0, "lever": "empathy_time", "step": 0.01},
                  {"kpi": "nps", "target": 40.0, "lever": "staffing", "step": 0.003},
                  {"kpi": "fcr_repeat", "target": 0.8, "lever": "handle_time_target", "step": 10.0}],
        "implementation_delay": "2 d"},
}


class Management(Strict):
    """Management as a controller (MODEL.md §9): measure, compare with targets, move levers, with delays."""
    preset: Literal["efficiency", "encounter"] | None = Field(
        None, description="start from a built-in block (efficiency: AHT and cost per contact; encounter: measured "
                          "NPS and FCR); the keys given here override it")
    rules: list[Rule] = Field(default_factory=list, description="what is watched, its target and the lever it moves")
    targets: dict[Literal["aht", "cost_per_contact", "nps", "contacts_per_need", "fcr_repeat", "fcr_tickbox"],
                  float] = Field(default_factory=dict, description="a new target for every rule on this KPI (to "
                                                                     "set a preset's targets)")
    cycle: PositiveDuration = Field(WEEK, description="time between reviews (whole days)")
    measurement_delay: NonNegativeDuration = Field(
        0.0, description="a review sees the cycle that ended this long before it (whole days)")
    implementation_delay: NonNegativeDuration = Field(0.0, description="a decision takes effect this long after "
                                                                        "its review")
    nps_from: Literal["respondents", "every_journey"] = Field(
        "respondents", description="respondents: the survey's answers, biased by who answers (experience."
                                   "survey_extremity); every_journey: an unbiased reading of every journey")
    survey_sample: Annotated[int, Field(ge=0)] = Field(
        0, description="survey answers read per review (0: every respondent); fewer adds sampling noise")
    limits: dict[Literal["handle_time_target", "staffing", "wellbeing_support", "empathy_time"],
                 tuple[float, float]] = Field(default_factory=dict,
                                              description="[lowest, highest] per lever (defaults: handle-time "
                                                          "target 1–60 min, staffing 0.5–2, support 1–3, "
                                                          "empathy 0–10 min)")
    fcr_window: PositiveDuration = Field(
        WEEK, description="FCR as measured from customer ids: a handled contact counts as resolved if the customer "
                          "does not contact again within this long (whole days; known only this long after)")
    tickbox_bias: Probability = Field(
        0.5, description="probability an agent ticks 'solved' when the contact did not solve the need (always "
                         "when it did)")

    @model_validator(mode="before")
    @classmethod
    def _from_preset(cls, value: Any) -> Any:
        """A preset's name, or a block naming one: the preset's block with the keys given on top."""
        if isinstance(value, str):
            value = {"preset": value}
        if isinstance(value, dict) and value.get("preset") in MANAGEMENT_PRESETS:
            value = {**copy.deepcopy(MANAGEMENT_PRESETS[value["preset"]]), **value}
        if isinstance(value, dict) and isinstance(value.get("targets"), dict) and isinstance(value.get("rules"), list):
            targets = value["targets"]
            value = {**value, "rules": [{**r, "target": targets[r["kpi"]]}
                                        if isinstance(r, dict) and r.get("kpi") in targets else r
                                        for r in value["rules"]]}
        return value

    @model_validator(mode="after")
    def _whole_days(self) -> "Management":
        if not self.rules:
            raise ValueError("give rules, or a preset (efficiency, encounter) to start from")
        for name in ("cycle", "measurement_delay", "fcr_window"):
            if getattr(self, name) % 1440.0:
                raise ValueError(f"{name} must be a whole number of days (reviews read the daily table)")
        for lever, (low, high) in self.limits.items():
            if not low <= high or low < 0:
                raise ValueError(f"limits of {lever}: need 0 <= lowest <= highest")
        return self


def _management_kind(value: Any) -> str:
    """A management block, or a preset's name (one error, from the right kind)."""
    return "management-preset" if isinstance(value, str) else "management-block"


class Policy(Levers):
    extends: str | None = Field(None, description="built-in or scenario policy this one starts from")
    interventions: list[Intervention] = Field(default_factory=list)
    management: Annotated[Annotated[Management, Tag("management-block")]
                          | Annotated[Literal["efficiency", "encounter"], Tag("management-preset")],
                          Discriminator(_management_kind)] | None = Field(
        None, description="management steering this policy by what it measures (off unless given): a block, or a "
                          "built-in one by name (efficiency, encounter)")

    @field_validator("management")
    @classmethod
    def _preset_by_name(cls, value: Any) -> Any:
        """``management: efficiency``: the built-in block of that name."""
        return Management.model_validate(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_steering(self) -> "Policy":
        if self.management is not None and self.interventions:
            raise ValueError("give either interventions (preset times) or management (reviews), not both")
        return self


#: Built-in policies, lever by lever (README "Policies").
BUILT_IN: dict[str, dict[str, Any]] = {
    "baseline": dict(handle_time_target=None, overrun="continue", ownership=False, standard="eroding",
                     empathy_time=0.0, staffing=1.0, wellbeing_support=1.0, transfer_overhead=2.0,
                     case_notes_share=None),
    "efficiency": dict(handle_time_target="p80", overrun="close", ownership=False, standard="eroding",
                       empathy_time=0.0, staffing=0.85, wellbeing_support=1.0, transfer_overhead=2.0,
                       case_notes_share=None),
    "encounter": dict(handle_time_target=None, overrun="continue", ownership=True, standard="pinned",
                      empathy_time=1.0, staffing=1.0, wellbeing_support=1.5, transfer_overhead=2.0,
                      case_notes_share=None),
}


def resolve_policy(name: str, policies: dict[str, Policy], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """All levers of a policy, following ``extends`` down to a built-in."""
    if name in seen:
        raise ValueError(f"circular policy extends: {' -> '.join(seen + (name,))}")
    spec = policies.get(name)
    if spec is None:
        if name in BUILT_IN:
            return dict(BUILT_IN[name])
        raise ValueError(f"unknown policy {name!r} (built in: {', '.join(BUILT_IN)})")
    base_name = spec.extends or (name if name in BUILT_IN else "baseline")
    if base_name == name and name not in BUILT_IN:
        raise ValueError(f"unknown policy {name!r} (built in: {', '.join(BUILT_IN)})")
    levers = dict(BUILT_IN[base_name]) if base_name == name else resolve_policy(base_name, policies, seen + (name,))
    levers.update({k: v for k, v in spec.model_dump(exclude={"extends", "interventions", "management"}).items()
                   if v is not None and k in spec.model_fields_set})
    return levers


def levers_as_run(levers: dict[str, Any], case_notes_share: float) -> dict[str, Any]:
    """A policy's resolved levers as they run: an unset case-notes share is the scenario's
    ``progress.case_notes_share`` (``case_notes_share`` here). The one place that default is applied:
    the compiled levers, ``scenario.json`` and the report's lever table all read this."""
    if levers.get("case_notes_share") is not None:
        return dict(levers)
    return {**levers, "case_notes_share": float(case_notes_share)}


def budget(levers: dict[str, Any]) -> float:
    """The handle-time budget in minutes; ``inf`` for none, and for a quantile (per need type, see
    :func:`budget_quantile`)."""
    target = levers.get("handle_time_target")
    return math.inf if target is None or isinstance(target, str) else float(target)


def budget_quantile(levers: dict[str, Any]) -> float | None:
    """The quantile (0–1) a ``pNN`` handle-time target names, else ``None``."""
    target = levers.get("handle_time_target")
    return float(target[1:]) / 100 if isinstance(target, str) else None
