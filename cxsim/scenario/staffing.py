"""Scenario sections for staffing by rule (MODEL.md §4): a team's shift patterns and a staffing target.

A team may give ``staffing:`` (patterns it can be rostered in, a target, its shrinkage) instead of a
hand-set ``agents`` head count; :mod:`cxsim.staffing` turns that into a rota per policy. A policy's
``staffing`` lever is either such a target (``{service_level: 0.8, within: 20 s}`` or
``{occupancy: 0.85}``) or, as before, a plain number: a multiplier on every team's head count.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .types import NonNegativeDuration, PositiveDuration, Strict


class StaffingTarget(Strict):
    """What an interval must achieve: a service level within a time, or an occupancy."""
    service_level: Annotated[float, Field(gt=0, lt=1)] | None = Field(
        None, description="share of contacts answered within 'within' (Erlang A with the channel's patience; "
                          "Erlang C where nobody abandons)")
    within: NonNegativeDuration | None = Field(
        None, description="the service-level time (default: the channel's service_level_target)")
    occupancy: Annotated[float, Field(gt=0, le=1)] | None = Field(
        None, description="the share of staffed time busy: head count = offered load / occupancy, rounded up")
    method: Literal["rule", "simulation"] = Field(
        "rule", description="'rule': the Erlang A/C requirement from the forecast (README \"Staffing by rule\"); "
                            "'simulation': start from the rule's rota, simulate it, re-forecast volumes, handle time "
                            "and the rule's error from the simulation and re-roster, until the achieved service "
                            "level meets the target (README \"Staffing by simulation\"; service-level targets only)")
    tolerance: Annotated[float, Field(gt=0, lt=0.5)] = Field(
        0.02, description="with method 'simulation': achieved service level accepted from target − tolerance up "
                          "to what the corrected rule promises + tolerance")
    rounds: Annotated[int, Field(ge=1, le=20)] = Field(
        6, description="with method 'simulation': most simulated rounds (the rule's rota is round 1)")
    replications: Annotated[int, Field(ge=1, le=20)] = Field(
        2, description="with method 'simulation': replications simulated per round (their own seeds, the same for "
                       "every policy)")

    @model_validator(mode="after")
    def _one_target(self) -> "StaffingTarget":
        if (self.service_level is None) == (self.occupancy is None):
            raise ValueError("give exactly one of 'service_level' (with an optional 'within') or 'occupancy'")
        if self.within is not None and self.service_level is None:
            raise ValueError("'within' goes with 'service_level'")
        if self.method == "simulation" and self.service_level is None:
            raise ValueError("method 'simulation' goes with 'service_level' (an occupancy target is met by the rule)")
        return self


class Break(Strict):
    """A paid break within a shift: off the phones, W recovering (``wellbeing.recover_break_per_hour``)."""
    after: PositiveDuration = Field(description="time from the start of the shift, e.g. '2 h'")
    length: PositiveDuration = Field(description="e.g. '15 min'")


def _default_target() -> StaffingTarget:
    return StaffingTarget(service_level=0.8)


class Patterns(Strict):
    """The shifts a team can be rostered in: every start × every length × every run of days on."""
    starts: Annotated[list[NonNegativeDuration], Field(min_length=1)] = Field(
        description="times of day a shift may start, e.g. ['7 h', '9 h', '13 h']")
    lengths: Annotated[list[PositiveDuration], Field(min_length=1)] = Field(
        default_factory=lambda: [8 * 60.0], description="shift lengths allowed (paid time, breaks included)")
    days_on: Annotated[int, Field(ge=1, le=7)] = Field(
        5, description="working days in a week; the others are days off (5: a 5-of-7 rota)")
    days_off: Literal["together", "any"] = Field(
        "together", description="'together': the days off are consecutive (7 patterns per shift); 'any': any "
                                "days of the week (e.g. 21 patterns for 5 of 7)")

    breaks: list[Break] = Field(
        default_factory=list, description="paid breaks within every rostered shift (default none), as a team's "
                                          "shift.breaks. Breaks are part of the team's shrinkage (paid, not "
                                          "answering): the rule's requirement and cost are not changed for them")
    stagger: NonNegativeDuration = Field(
        0.0, description="the agents of a rostered shift start each break spread evenly over this window, not all "
                         "at once (as a team's shift.stagger)")

    @model_validator(mode="after")
    def _within_day(self) -> "Patterns":
        if any(s >= 1440 for s in self.starts):
            raise ValueError("starts are times of day: below 24 h")
        if any(length > 1440 for length in self.lengths):
            raise ValueError("a shift is at most 24 h long")
        end = 0.0
        for b in sorted(self.breaks, key=lambda b: b.after):
            if b.after < end:
                raise ValueError("breaks overlap")
            end = b.after + b.length + self.stagger
            if end >= min(self.lengths):
                raise ValueError("every break (with its stagger) must end before the shortest shift does")
        return self


class TeamStaffing(Strict):
    """Staff a team by rule: size each hour of the week to a target, gross up for shrinkage, roster in shifts."""
    patterns: Patterns
    target: StaffingTarget = Field(default_factory=_default_target,
                                   description="default 80 % within the channel's service_level_target; a policy's "
                                               "staffing target replaces it")
    shrinkage: Annotated[float, Field(ge=0, lt=1)] = Field(
        0.30, description="share of paid time not available for contacts (breaks, training, sickness): paid, so in "
                          "the cost, but never answering (planning rule of thumb 0.30-0.35, calibrate)")


def multiplier(staffing: Any) -> float:
    """A policy's staffing lever as a head-count multiplier: a target means 1 (the rota is the head count)."""
    if staffing is None:
        return 1.0
    if isinstance(staffing, (int, float)):
        return float(staffing)
    return 1.0


def target_of(staffing: Any) -> StaffingTarget | None:
    """A policy's staffing lever as a target, or None when it is a multiplier."""
    if isinstance(staffing, StaffingTarget):
        return staffing
    if isinstance(staffing, dict):
        return StaffingTarget.model_validate(staffing)
    return None
