"""The small integer codes that compiled parameters, kernels, engines and records share.

Both engines run on integers (numba cannot read enums), and the tables turn them back into names.
Each code is defined here once, below everything that uses it, with its names in the same order.
"""

from __future__ import annotations

# --- distributions (compiled.Dist.kind, kernels.sampling) --------------------------------------
DIST_EXPONENTIAL, DIST_LOGNORMAL, DIST_DETERMINISTIC, DIST_EMPIRICAL = range(4)

# --- journey scoring rules (MODEL.md §6) --------------------------------------------------------
RULE_WEAKEST, RULE_PEAK_END, RULE_MEAN = range(3)
JOURNEY_RULES = ("weakest", "peak_end", "mean")

# --- what happens when the work outlasts the handle-time budget (MODEL.md §5) ------------------
OVERRUN_CONTINUE = 0  # finish the work whatever the budget
OVERRUN_CLOSE = 1     # wrap up at the budget: a rushed encounter
OVERRUN_TRANSFER = 2  # hand off at the budget: a new wait and a new encounter elsewhere
OVERRUN_ACTIONS = ("continue", "close", "transfer")

# --- contact kinds: why this contact happened ---------------------------------------------------
# Everything but FIRST is failure demand; a CALLBACK is a repeat that the owning agent makes
# instead of the customer queueing again (ownership).
FIRST, REPEAT, RETRIAL, SWITCH, TRANSFER, CALLBACK = range(6)
KINDS = ("first", "repeat", "retrial", "switch", "transfer", "callback")

# --- contact outcomes ---------------------------------------------------------------------------
HANDLED, ABANDONED, SELF_SERVICE, OPEN = range(4)
OUTCOMES = ("handled", "abandoned", "self_service", "open")

# --- need (journey) statuses ------------------------------------------------------------------------
SOLVED, GIVEN_UP, UNFINISHED = range(3)
STATUSES = ("solved", "given_up", "open")

# --- the encounter score's named coefficients (scenario ``experience:``), in the order the kernel reads them ---
COEFFICIENTS = ("wait_worst_at", "empathy_time_weight", "empathy_time_full", "empathy_wellbeing_weight",
                "wellbeing_neutral", "rushed_penalty", "unanswered_empathy", "effort_per_repeat",
                "effort_per_transfer")
(C_WAIT_WORST_AT, C_EMPATHY_TIME_WEIGHT, C_EMPATHY_TIME_FULL, C_EMPATHY_WELLBEING_WEIGHT, C_WELLBEING_NEUTRAL,
 C_RUSHED_PENALTY, C_UNANSWERED_EMPATHY, C_EFFORT_PER_REPEAT, C_EFFORT_PER_TRANSFER) = range(len(COEFFICIENTS))

# --- the journey's next step after a contact (kernels.journey) ------------------------------------
NEXT_CLOSE_SOLVED = 0    # the need is solved: the journey ends
NEXT_GIVE_UP = 1         # the customer gives up: the journey ends unsolved
NEXT_TRANSFER = 2        # handed off now: a new wait and a new encounter with the rest of the work
NEXT_RETRY = 3           # abandoned: the customer tries again after a delay, same channel
NEXT_RETURN = 4          # not solved: the need comes back after a delay (repeat or owner's callback)
NEXT_SWITCH = 5          # self-service failed: on at once in another channel
NEXT_STEPS = ("solved", "give_up", "transfer", "retry", "return", "switch")
