"""Compiled parameters as the fast engine reads them: one flat namedtuple of numbers and arrays.

numba cannot read dataclasses, so :class:`cxsim.compiled.Params` is repacked here — names become
fields of a namedtuple (readable in the loop as ``p.horizon``), distributions become rows of one
table, and anything computed in Python by the SimPy engine (head counts after rounding, the mean
work, the period cuts) is computed here the same way, so both engines start from the same bits.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from ...compiled import Dist, Params
from ...kernels.workforce_day import day_params, erosion_params
from ...kernels.churn import close_params, loyalty_params
from ...kernels.steps import experience_params, handling_params, need_params, step_params


class FastParams(NamedTuple):
    horizon: float
    warmup: float
    population: int
    n_channels: int
    n_needs: int
    n_teams: int
    n_queues: int
    week_rate: np.ndarray
    week_profile: np.ndarray
    wall_clock: bool
    change_at: np.ndarray
    factor: np.ndarray
    need_cdf: np.ndarray
    need_resolution: np.ndarray
    need_work: np.ndarray          # distribution row per need type
    ch_self: np.ndarray            # self-service channel?
    ch_sessions: np.ndarray
    ch_slowdown: np.ndarray
    ch_patience: np.ndarray        # distribution row, -1: no abandonment
    ch_p_self: np.ndarray
    ch_retrial_p: np.ndarray
    ch_retrial_delay: np.ndarray
    ch_expected_wait: np.ndarray
    ch_target: np.ndarray          # service-level target (metrics)
    ch_abandoning: np.ndarray      # has patience (metrics)
    channel_cdf: np.ndarray
    switch_cdf: np.ndarray         # [from, to]
    return_delay: int
    give_up: float
    dist_kind: np.ndarray          # the distribution table
    dist_a: np.ndarray
    dist_b: np.ndarray
    dist_values: np.ndarray        # [row, value] (empirical samples, padded)
    dist_len: np.ndarray
    team_agents: np.ndarray
    team_proficiency: np.ndarray
    team_cost: np.ndarray          # per minute on duty
    team_always: np.ndarray        # no shifts: on duty all the time
    team_shift_on: np.ndarray      # [team, k] minutes from Monday 00:00
    team_shift_off: np.ndarray
    team_nshifts: np.ndarray
    team_queues: np.ndarray        # [team, k]: the queues a team serves, in routing order
    team_nq: np.ndarray
    team_ch_queues: np.ndarray     # [team, channel, k]: the same, per channel
    team_ch_nq: np.ndarray
    queue_teams: np.ndarray        # [queue, k]: teams serving a queue, in team order
    queue_nteams: np.ndarray
    queue_share: np.ndarray        # 1 / number of teams serving the queue (pressure)
    tl_at: np.ndarray              # the policy timeline: from minute ...
    tl_budget: np.ndarray          # ... these levers
    tl_overrun: np.ndarray
    tl_ownership: np.ndarray
    tl_pinned: np.ndarray
    tl_empathy: np.ndarray
    tl_support: np.ndarray
    tl_transfer_overhead: np.ndarray
    tl_case_notes: np.ndarray
    tl_staffing: np.ndarray
    tl_targets: np.ndarray         # [step, team] head count under that step's staffing
    mech_handling: bool
    mech_erosion: bool
    mech_wellbeing: bool
    mech_experience: bool
    mech_loyalty: bool
    er_alpha: float
    er_alpha_slack: float
    er_standard_down: float
    er_standard_up: float
    er_interval: float
    er_smoothing: float
    er_clear_time: float
    wb_initial: float
    wb_drain: float                # per busy minute
    wb_pressure_drain: float
    wb_upset_hit: float
    wb_upset_below: float
    wb_recover_idle: float         # per idle minute
    wb_recover_off: float          # per minute off
    wb_boreout_below: float
    wb_boreout_rate: float         # per minute
    wb_speed_onset: float
    wb_speed_loss: float
    wb_quality_onset: float
    wb_quality_loss: float
    wb_burnout_below: float
    wb_burnout_after: float
    wb_absence: int                # distribution row
    wb_attrition: float
    wb_attrition_sensitivity: float
    wb_hiring_delay: float
    wb_rookie_start: float
    wb_ramp_up: float
    st_on: bool                    # chronic strain (cxsim.kernels.strain), rates per day
    st_low_below: float
    st_per_low_day: float
    st_sustainable: float
    st_per_overload_day: float
    st_load_days: float
    st_recover_working: float
    st_recover_off: float
    st_burnout_above: float
    st_absence: int                # distribution row
    st_attrition_sensitivity: float
    st_per_upset: float            # strain inputs besides low W and overload (kernels.engagement)
    st_contract: float
    st_per_overtime_hour: float
    st_quality_loss: float
    en_quality_loss: float
    en_on: bool                    # engagement E (kernels.engagement)
    en_bored_below: float
    en_per_bored_day: float
    en_recover_per_day: float
    en_attrition_sensitivity: float
    en_empathy_sensitivity: float  # kernels.empathy
    wb_recover_break: float        # per minute of a break
    team_skill_use: np.ndarray
    team_break_after: np.ndarray   # [team, k] breaks within a shift (kernels.breaks)
    team_break_len: np.ndarray
    team_nbreaks: np.ndarray
    team_stagger: np.ndarray
    max_breaks: int
    ex_rule: int
    ex_neutral: float
    ex_loss_aversion: float
    ex_weight_wait: float
    ex_weight_resolution: float
    ex_weight_empathy: float
    ex_weight_effort: float
    ex_expectation_sd: float
    ex_expectation_weight: float
    ex_coefficients: np.ndarray    # kernels.experience.COEFFICIENTS
    ex_recommend_spread: float
    ex_survey_rate: float
    ex_survey_extremity: float
    lo_comparison_level: float
    lo_learning: float
    lo_background_hazard: float    # background churn per customer-minute
    lo_journey_churn: float
    lo_sensitivity: float
    lo_effort_multiplier: float
    lo_high_effort_contacts: int
    lo_referral: float
    lo_deterrence: float
    lo_churn_window_days: float
    mean_work: float               # mean work per need (pressure's required capacity)
    quality_gap: np.ndarray        # the delivered-quality table
    quality_level: np.ndarray
    cuts: np.ndarray               # times that close a row of the daily table (midnights, warm-up end)
    # customers (compiled.CustomerParams): segments, channel choice, learnt expectations
    cu_n_segments: int
    cu_share_cdf: np.ndarray
    cu_rate_factor: np.ndarray
    cu_need_cdf: np.ndarray        # [segment, need type]
    cu_channel_weight: np.ndarray  # [segment, channel]
    cu_channel_cdf: np.ndarray     # [segment, channel]
    cu_expectation: np.ndarray
    cu_wait_factor: np.ndarray
    cu_patience: np.ndarray
    cu_value: np.ndarray
    cu_expected_wait: np.ndarray   # [channel]
    cu_wait_norm: np.ndarray       # [channel]
    cu_wait_sensitivity: float
    cu_wait_learning: float
    # management (kernels.management): its reviews write the levers they decide into timeline
    # slots 1, 2, ... (the policy's levers at 0), applied through EV_INTERVENTION
    mg_on: bool
    mg_cycle: float
    mg_delay: float
    mg_implementation: float
    mg_sample: int
    mg_survey: bool
    mg_rule_kpi: np.ndarray
    mg_rule_target: np.ndarray
    mg_rule_lever: np.ndarray
    mg_rule_step: np.ndarray
    mg_low: np.ndarray
    mg_high: np.ndarray
    mg_reviews: np.ndarray         # review times
    mg_base_agents: np.ndarray     # per team: head count at staffing 1
    tl_need_budget: np.ndarray     # [step, need type] handle-time budget (Levers.need_budget)
    pg_on: bool                    # carried progress and ownership (compiled.ProgressParams)
    pg_re_explain: float
    pg_callback_promise: float
    pg_owned_give_up: float
    mg_fcr_window: float           # FCR as measured (kernels.fcr): "no repeat within", and the tick-box's bias
    mg_tickbox_bias: float
    es_after: int                  # escalation (kernels.journey.escalated): failed contacts before second line
    es_serves: np.ndarray          # [first-line queue]: the second-line team serves its (channel, need)
    sk_on: bool                    # baseline sickness absence (kernels.sickness)
    sk_chance: float               # probability per agent-day that a spell begins
    sk_mean_days: float            # mean spell length, whole days
    wf_day: tuple                  # the wellbeing block packed once (kernels.workforce_day.day_params)
    wf_erosion: tuple              # the erosion block packed once (kernels.workforce_day.erosion_params)
    st_step: tuple                 # what follows a contact, packed once (kernels.steps.step_params)
    st_experience: tuple           # an encounter's score, packed once (kernels.steps.experience_params)
    st_close: tuple                # a journey's close, packed once (kernels.churn.close_params)
    st_loyalty: tuple              # the customer's reaction, packed once (kernels.churn.loyalty_params)
    st_handling: tuple             # an encounter's plan, packed once (kernels.steps.handling_params)
    st_need: tuple                 # a new need's type and channel, packed once (kernels.steps.need_params)


#: Every compiled parameter the fast engine knows, by type (names, the policy and the value per
#: customer are not the engine's business but are known too). A field outside these sets is a
#: feature added to the model after this engine was written: the engine refuses the run, naming
#: it, rather than silently ignoring it.
KNOWN: dict[str, frozenset[str]] = {
    "Params": frozenset({
        "change_at", "channel_cdf", "channels", "cuts", "erosion", "experience", "factor", "give_up", "horizon",
        "journey_rule", "loyalty", "mean_work", "mechanisms", "name", "need_cdf", "need_names", "need_resolution",
        "need_work", "policy", "population", "quality_gap", "quality_level", "return_delay", "switch_cdf", "teams",
        "timeline", "wall_clock", "customers", "management", "progress", "escalation",
        "warmup", "week_profile", "week_rate", "wellbeing"}),
    "ChannelParams": frozenset({"expected_wait", "kind", "name", "p_self", "patience", "retrial_delay",
                                "retrial_probability", "sessions", "slowdown", "target"}),
    "TeamParams": frozenset({"agents", "base_agents", "channels", "cost_per_minute", "name", "needs", "proficiency",
                             "shifts", "breaks", "break_stagger", "skill_use"}),
    "Levers": frozenset({"budget", "case_notes", "empathy", "overrun", "ownership", "pinned", "staffing", "support",
                         "transfer_overhead", "need_budget"}),
    "Mechanisms": frozenset({"erosion", "experience", "handling", "loyalty", "wellbeing", "progress"}),
    "ProgressParams": frozenset({"on", "re_explain", "callback_promise", "owned_give_up"}),
    "EscalationParams": frozenset({"after", "team"}),
    "ErosionParams": frozenset({"alpha", "alpha_slack", "clear_time", "interval", "smoothing", "standard_down",
                                "standard_up"}),
    "WellbeingParams": frozenset({
        "absence", "attrition_per_year", "attrition_sensitivity", "boreout_below", "boreout_rate", "burnout_after",
        "burnout_below", "drain", "hiring_delay", "initial", "pressure_drain", "quality_loss", "quality_onset",
        "ramp_up", "recover_idle", "recover_off", "rookie_start", "speed_loss", "speed_onset", "upset_below",
        "upset_hit", "strain", "hiring_cost", "collapse_absent_share", "engagement", "recover_break", "sickness"}),
    "SicknessParams": frozenset({"chance", "mean_days"}),
    "StrainParams": frozenset({"absence", "attrition_sensitivity", "burnout_above", "load_days", "low_below", "on",
                               "per_low_day", "per_overload_day", "recover_off", "recover_working", "sustainable",
                               "per_upset", "contract", "per_overtime_hour", "quality_loss"}),
    "EngagementParams": frozenset({"bored_below", "per_bored_day", "recover_per_day", "attrition_sensitivity",
                                   "quality_loss", "empathy_sensitivity"}),
    "ExperienceParams": frozenset({"coefficients", "expectation_sd", "expectation_weight", "journey_rule", "loss_aversion", "neutral", "recommend_spread",
                                   "survey_extremity", "survey_rate", "weight_effort", "weight_empathy",
                                   "weight_resolution", "weight_wait"}),
    "CustomerParams": frozenset({"acquisition_cost", "channel_cdf", "channel_weight", "expectation", "expected_wait",
                                 "names", "need_cdf", "patience", "rate_factor", "segmented", "share_cdf", "value",
                                 "wait_factor", "wait_learning", "wait_norm", "wait_sensitivity"}),
    "LoyaltyParams": frozenset({"background_hazard", "churn_per_month", "churn_window_days", "comparison_level", "deterrence",
                                "effort_multiplier", "high_effort_contacts", "journey_churn", "learning", "referral",
                                "sensitivity", "value_per_month"}),
}


def _fields(obj) -> list[str]:
    if dataclasses.is_dataclass(obj):
        return [f.name for f in dataclasses.fields(obj)]
    return list(type(obj).model_fields)


def unsupported(params: Params) -> list[str]:
    """The compiled parameters this engine does not know (``Type.field``); empty when it can run them."""
    objects = [params, params.mechanisms, params.erosion, params.wellbeing, params.experience, params.loyalty,
               params.customers, params.progress, params.wellbeing.strain,
               *([params.wellbeing.engagement] if params.wellbeing.engagement is not None else []),
               *([params.wellbeing.sickness] if params.wellbeing.sickness is not None else []),
               *params.channels, *params.teams, *(levers for _, levers in params.timeline)]
    found = {f"{type(o).__name__}.{name}" for o in objects for name in _fields(o)
             if name not in KNOWN.get(type(o).__name__, ())}
    return sorted(found)


class _Distributions:
    """Collects distributions into one table; each gets a row number."""

    def __init__(self) -> None:
        self.rows: list[Dist] = []

    def add(self, d: Dist | None) -> int:
        if d is None:
            return -1
        self.rows.append(d)
        return len(self.rows) - 1

    def arrays(self) -> tuple[np.ndarray, ...]:
        width = max([1] + [len(d.values) for d in self.rows])
        values = np.zeros((max(1, len(self.rows)), width))
        for i, d in enumerate(self.rows):
            values[i, :len(d.values)] = d.values
        return (np.array([d.kind for d in self.rows], dtype=np.int64), np.array([d.a for d in self.rows]),
                np.array([d.b for d in self.rows]), values, np.array([len(d.values) for d in self.rows], dtype=np.int64))


def pack(params: Params) -> FastParams:
    missing = unsupported(params)
    if missing:
        raise ValueError(f"the fast engine does not support {', '.join(missing)} yet: use --engine simpy")
    p = params
    dists = _Distributions()
    need_work = np.array([dists.add(d) for d in p.need_work], dtype=np.int64)
    ch = p.channels
    ch_patience = np.array([dists.add(c.patience) for c in ch], dtype=np.int64)
    ch_retrial_delay = np.array([dists.add(c.retrial_delay) for c in ch], dtype=np.int64)
    return_delay = dists.add(p.return_delay)
    absence = dists.add(p.wellbeing.absence)
    st = p.wellbeing.strain
    strain_absence = dists.add(st.absence)

    n_teams, n_channels, n_needs = len(p.teams), len(ch), len(p.need_names)
    n_queues = p.queue_count
    max_shifts = max([1] + [len(t.shifts or ()) for t in p.teams])
    shift_on, shift_off = np.zeros((n_teams, max_shifts)), np.zeros((n_teams, max_shifts))
    team_queues = np.full((n_teams, max(1, n_queues)), -1, dtype=np.int64)
    team_nq = np.zeros(n_teams, dtype=np.int64)
    team_ch_queues = np.full((n_teams, n_channels, max(1, n_needs)), -1, dtype=np.int64)
    team_ch_nq = np.zeros((n_teams, n_channels), dtype=np.int64)
    max_breaks = max([0] + [len(t.breaks) for t in p.teams])
    break_after, break_len = np.zeros((n_teams, max(1, max_breaks))), np.zeros((n_teams, max(1, max_breaks)))
    for i, t in enumerate(p.teams):
        for k, (after, length) in enumerate(t.breaks):
            break_after[i, k], break_len[i, k] = after, length
        for k, (on, off) in enumerate(t.shifts or ()):
            shift_on[i, k], shift_off[i, k] = on, off
        queues = [p.team_queue_of(i, c, n) for c in t.channels for n in t.needs]
        team_queues[i, :len(queues)] = queues
        team_nq[i] = len(queues)
        for c in t.channels:
            qs = [p.team_queue_of(i, c, n) for n in t.needs]
            team_ch_queues[i, c, :len(qs)] = qs
            team_ch_nq[i, c] = len(qs)
    queue_teams = np.full((n_queues, max(1, n_teams)), -1, dtype=np.int64)
    queue_nteams = np.zeros(n_queues, dtype=np.int64)
    for q in range(n_queues):
        teams = [i for i in range(n_teams) if q in team_queues[i, :team_nq[i]]]
        queue_teams[q, :len(teams)] = teams
        queue_nteams[q] = len(teams)
    queue_share = np.array([1.0 / max(1, n) for n in queue_nteams])

    levers = [lv for _, lv in p.timeline]
    mg = p.management
    tl_at = [at for at, _ in p.timeline]
    staffings = [lv.staffing for lv in levers]
    if mg is not None:  # one slot per review, sized for the most staff management may ask for
        tl_at += [np.inf] * len(mg.reviews)
        staffings += [float(mg.high[1])] * len(mg.reviews)
        levers = levers + [levers[0]] * len(mg.reviews)
    e, w, x, lo, m = p.erosion, p.wellbeing, p.experience, p.loyalty, p.mechanisms
    en = w.engagement
    kind, a, b, values, length = dists.arrays()
    return FastParams(
        horizon=float(p.horizon), warmup=float(p.warmup), population=int(p.population), n_channels=n_channels,
        n_needs=n_needs, n_teams=n_teams, n_queues=n_queues, week_rate=p.week_rate, week_profile=p.week_profile,
        wall_clock=bool(p.wall_clock),
        change_at=p.change_at, factor=p.factor, need_cdf=p.need_cdf, need_resolution=p.need_resolution,
        need_work=need_work, ch_self=np.array([c.kind == "self_service" for c in ch]),
        ch_sessions=np.array([c.sessions for c in ch], dtype=np.int64), ch_slowdown=np.array([c.slowdown for c in ch]),
        ch_patience=ch_patience, ch_p_self=np.array([c.p_self for c in ch]), ch_retrial_p=np.array([c.retrial_probability for c in ch]),
        ch_retrial_delay=ch_retrial_delay, ch_expected_wait=np.array([c.expected_wait for c in ch]),
        ch_target=np.array([c.target for c in ch]), ch_abandoning=np.array([c.patience is not None for c in ch]),
        channel_cdf=p.channel_cdf, switch_cdf=np.ascontiguousarray(p.switch_cdf), return_delay=return_delay,
        give_up=float(p.give_up), dist_kind=kind, dist_a=a, dist_b=b, dist_values=values, dist_len=length,
        team_agents=np.array([t.agents for t in p.teams], dtype=np.int64),
        team_proficiency=np.array([t.proficiency for t in p.teams]),
        team_cost=np.array([t.cost_per_minute for t in p.teams]),
        team_always=np.array([t.shifts is None for t in p.teams]), team_shift_on=shift_on, team_shift_off=shift_off,
        team_nshifts=np.array([len(t.shifts or ()) for t in p.teams], dtype=np.int64),
        team_queues=team_queues, team_nq=team_nq, team_ch_queues=team_ch_queues, team_ch_nq=team_ch_nq,
        queue_teams=queue_teams, queue_nteams=queue_nteams, queue_share=queue_share,
        tl_at=np.array(tl_at), tl_budget=np.array([lv.budget for lv in levers]),
        tl_overrun=np.array([lv.overrun for lv in levers], dtype=np.int64),
        tl_ownership=np.array([lv.ownership for lv in levers]), tl_pinned=np.array([lv.pinned for lv in levers]),
        tl_empathy=np.array([lv.empathy for lv in levers]), tl_support=np.array([lv.support for lv in levers]),
        tl_transfer_overhead=np.array([lv.transfer_overhead for lv in levers]),
        tl_case_notes=np.array([lv.case_notes for lv in levers]),
        tl_staffing=np.array([lv.staffing for lv in levers]),
        tl_targets=np.array([[int(round(t.base_agents * s)) for t in p.teams] for s in staffings],
                            dtype=np.int64).reshape(len(levers), n_teams),
        mech_handling=bool(m.handling), mech_erosion=bool(m.erosion), mech_wellbeing=bool(m.wellbeing),
        mech_experience=bool(m.experience), mech_loyalty=bool(m.loyalty),
        er_alpha=float(e.alpha), er_alpha_slack=float(e.alpha_slack), er_standard_down=float(e.standard_down),
        er_standard_up=e.standard_up, er_interval=float(e.interval),
        er_smoothing=float(e.smoothing), er_clear_time=float(e.clear_time),
        wb_initial=w.initial, wb_drain=w.drain, wb_pressure_drain=w.pressure_drain,
        wb_upset_hit=w.upset_hit, wb_upset_below=w.upset_below, wb_recover_idle=w.recover_idle,
        wb_recover_off=w.recover_off, wb_boreout_below=w.boreout_below, wb_boreout_rate=w.boreout_rate,
        wb_speed_onset=float(w.speed_onset), wb_speed_loss=float(w.speed_loss),
        wb_quality_onset=float(w.quality_onset), wb_quality_loss=float(w.quality_loss),
        wb_burnout_below=float(w.burnout_below), wb_burnout_after=float(w.burnout_after), wb_absence=absence,
        wb_attrition=float(w.attrition_per_year), wb_attrition_sensitivity=float(w.attrition_sensitivity),
        wb_hiring_delay=float(w.hiring_delay), wb_rookie_start=float(w.rookie_start), wb_ramp_up=float(w.ramp_up),
        st_on=bool(st.on), st_low_below=float(st.low_below), st_per_low_day=float(st.per_low_day),
        st_sustainable=float(st.sustainable), st_per_overload_day=float(st.per_overload_day),
        st_load_days=float(st.load_days), st_recover_working=float(st.recover_working),
        st_recover_off=float(st.recover_off), st_burnout_above=float(st.burnout_above), st_absence=strain_absence,
        st_attrition_sensitivity=float(st.attrition_sensitivity),
        st_per_upset=float(st.per_upset), st_contract=float(st.contract), st_per_overtime_hour=float(st.per_overtime_hour),
        st_quality_loss=float(st.quality_loss), en_quality_loss=float(en.quality_loss) if en else 0.0,
        en_on=en is not None, en_bored_below=float(en.bored_below) if en else 0.0,
        en_per_bored_day=float(en.per_bored_day) if en else 0.0,
        en_recover_per_day=float(en.recover_per_day) if en else 0.0,
        en_attrition_sensitivity=float(en.attrition_sensitivity) if en else 0.0,
        en_empathy_sensitivity=float(en.empathy_sensitivity) if en else 0.0,
        wb_recover_break=float(w.recover_break), team_skill_use=np.array([float(t.skill_use) for t in p.teams]),
        team_break_after=break_after, team_break_len=break_len,
        team_nbreaks=np.array([len(t.breaks) for t in p.teams], dtype=np.int64),
        team_stagger=np.array([float(t.break_stagger) for t in p.teams]), max_breaks=max_breaks,
        ex_rule=int(p.journey_rule), ex_neutral=float(x.neutral), ex_loss_aversion=float(x.loss_aversion),
        ex_weight_wait=float(x.weight_wait), ex_weight_resolution=float(x.weight_resolution),
        ex_weight_empathy=float(x.weight_empathy), ex_weight_effort=float(x.weight_effort),
        ex_expectation_sd=float(x.expectation_sd), ex_expectation_weight=x.expectation_weight,
        ex_coefficients=x.coefficients, ex_recommend_spread=float(x.recommend_spread),
        ex_survey_rate=float(x.survey_rate), ex_survey_extremity=float(x.survey_extremity),
        lo_comparison_level=float(lo.comparison_level), lo_learning=float(lo.learning),
        lo_background_hazard=lo.background_hazard, lo_journey_churn=float(lo.journey_churn),
        lo_sensitivity=float(lo.sensitivity), lo_effort_multiplier=float(lo.effort_multiplier),
        lo_high_effort_contacts=int(lo.high_effort_contacts), lo_referral=float(lo.referral),
        lo_deterrence=float(lo.deterrence), lo_churn_window_days=lo.churn_window_days, mean_work=p.mean_work,
        cuts=p.cuts, quality_gap=p.quality_gap, quality_level=p.quality_level,
        cu_n_segments=len(p.customers.names), cu_share_cdf=p.customers.share_cdf,
        cu_rate_factor=p.customers.rate_factor, cu_need_cdf=np.ascontiguousarray(p.customers.need_cdf),
        cu_channel_weight=np.ascontiguousarray(p.customers.channel_weight, dtype=float),
        cu_channel_cdf=np.ascontiguousarray(p.customers.channel_cdf), cu_expectation=p.customers.expectation,
        cu_wait_factor=p.customers.wait_factor, cu_patience=p.customers.patience, cu_value=p.customers.value,
        cu_expected_wait=p.customers.expected_wait, cu_wait_norm=p.customers.wait_norm,
        cu_wait_sensitivity=float(p.customers.wait_sensitivity), cu_wait_learning=float(p.customers.wait_learning),
        mg_on=mg is not None, mg_cycle=float(mg.cycle) if mg else 0.0, mg_delay=float(mg.measurement_delay) if mg else 0.0,
        mg_implementation=float(mg.implementation_delay) if mg else 0.0, mg_sample=int(mg.survey_sample) if mg else 0,
        mg_survey=bool(mg.survey) if mg else True,
        mg_rule_kpi=mg.rule_kpi if mg else np.zeros(0, dtype=np.int64),
        mg_rule_target=mg.rule_target if mg else np.zeros(0),
        mg_rule_lever=mg.rule_lever if mg else np.zeros(0, dtype=np.int64),
        mg_rule_step=mg.rule_step if mg else np.zeros(0), mg_low=mg.low if mg else np.zeros(4),
        mg_high=mg.high if mg else np.zeros(4), mg_reviews=mg.reviews if mg else np.zeros(0),
        mg_base_agents=np.array([t.base_agents for t in p.teams], dtype=np.int64),
        tl_need_budget=np.array([lv.need_budget for lv in levers], dtype=float).reshape(len(levers), n_needs),
        pg_on=bool(p.progress.on),
        pg_re_explain=float(p.progress.re_explain), pg_callback_promise=float(p.progress.callback_promise),
        pg_owned_give_up=float(p.progress.owned_give_up),
        mg_fcr_window=float(mg.fcr_window) if mg else 0.0, mg_tickbox_bias=float(mg.tickbox_bias) if mg else 0.0,
        es_after=int(p.escalation.after), es_serves=p.escalation_serves(),
        sk_on=w.sickness is not None, sk_chance=float(w.sickness.chance) if w.sickness else 0.0,
        sk_mean_days=float(w.sickness.mean_days) if w.sickness else 1.0, wf_day=day_params(w),
        wf_erosion=erosion_params(e), st_step=step_params(p), st_experience=experience_params(p),
        st_close=close_params(p), st_loyalty=loyalty_params(p), st_handling=handling_params(p),
        st_need=need_params(p))