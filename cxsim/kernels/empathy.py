"""Empathy time an agent gives, as engagement allows (MODEL.md §4: low engagement lowers empathy; issue 12).

The lever ``empathy_time`` is the time for the person an encounter is meant to get. A disengaged
agent gives less of it: the minutes given are ``empathy × (1 − s · (1 − E))`` (never below 0), with
``s`` = ``wellbeing.engagement.empathy_sensitivity``. At E = 1, or with engagement off, the lever is
given in full, bit for bit. The time given is what the encounter takes and what the experience score
reads (:func:`cxsim.kernels.experience.encounter_score`). Written once; both engines call it when an
encounter begins.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def engaged_empathy(empathy: float, engagement: float, sensitivity: float, engagement_on: bool) -> float:
    """Minutes of empathy an agent of engagement ``engagement`` gives when the lever asks for ``empathy``."""
    if not engagement_on or engagement >= 1.0 or sensitivity <= 0.0:
        return empathy
    return empathy * max(1.0 - sensitivity * (1.0 - engagement), 0.0)
