"""Scenario sections for carried progress and ownership (MODEL.md §5).

Work done on a need is not lost when a contact ends unsolved: the next contact needs what is left,
all of the progress kept when the owner calls back, a share of it (case notes) when someone else
picks the need up, plus re-explaining. An owner's callback is scheduled at a promised time and
takes the owner's time; the customer judges the wait against that promise. An owned need can
still be given up, less often than an unowned one.
"""

from __future__ import annotations

from pydantic import Field

from ..minutes import DAY
from .types import NonNegativeDuration, PositiveDuration, Probability, Strict


class Progress(Strict):
    """What a repeat contact still needs (mechanism ``progress``)."""
    case_notes_share: Probability = Field(
        0.5, description="share of the work done that reaches the next agent through case notes when nobody owns "
                         "the need (calibrate); the owner keeps all of it")
    re_explain: NonNegativeDuration = Field(
        2.0, description="work added to a repeat contact for re-explaining the need to a new agent (calibrate); "
                         "an owner's callback needs none")


class Ownership(Strict):
    """How an owner follows up an unsolved need (policy lever ``ownership``)."""
    callback_promise: PositiveDuration = Field(
        DAY, description="the owner promises to call back this long after the unsolved contact (calibrate); the "
                         "customer judges the wait against it")
    give_up: Probability = Field(
        0.03, description="probability that the customer gives up an owned need instead of waiting for the "
                          "callback (calibrate; returns.give_up is the unowned one)")


class Escalation(Strict):
    """Escalation to a second-line team (MODEL.md §5); off unless ``after`` > 0 and ``team`` is set."""
    after: int = Field(
        0, ge=0, description="failed contacts of a need after which its next contacts go to the second-line team's "
                             "queue for that channel (every earlier contact of a need ended unsolved: abandoned, "
                             "unsolved or failed self-service); 0: no escalation")
    team: str | None = Field(
        None, description="the second-line team, an ordinary team in `teams:`; with escalation on it serves only "
                          "escalated contacts (for its channels and needs; others stay first line)")
