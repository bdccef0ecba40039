"""Routing rules (MODEL.md §3–§4): which idle agent takes a contact, which contact a freed agent takes.

The two engines store queues and idle agents differently — deques of objects in the SimPy engine,
intrusive lists in arrays in the fast engine — and walk them in their own idiom. What they must
agree on is the *rule* applied during the walk, and that is written here, once, over scalars both
engines can supply: the walk visits candidates in a fixed order (teams in scenario order, agents in
id order, queues in the team's order) and keeps the first candidate for which ``better`` holds, so
that ties always go to the candidate seen first.

- a contact goes to the longest-idle skilled agent (:func:`idle_longer`); with none idle, a chat
  agent with a free session of the same channel (:func:`may_take_session`), fewest sessions first,
  then longest idle (:func:`fewer_sessions`);
- an owned case coming back goes to its owner at once only if the owner is idle at work
  (:func:`owner_takes_now`), else it waits in the owner's list;
- a freed agent calls back its own cases first, then takes the oldest contact across the queues it
  may serve now (:func:`pull_scope`, :func:`waited_longer`): FIFO per queue, since every queue is
  served from its head.
"""

from __future__ import annotations

from numba import njit

PULL_NONE, PULL_CALLBACK, PULL_ANY, PULL_CHANNEL = range(4)
PULL_SCOPES = ("none", "callback", "any", "channel")


@njit(cache=True)
def idle_longer(since: float, best_since: float, have_best: bool) -> bool:
    """An idle agent (idle since ``since``) beats the best so far: it has been idle strictly longer.

    Each team's idle list is in the order its agents became idle, so only its head is compared."""
    return not have_best or since < best_since


@njit(cache=True)
def may_take_session(agent_channel: int, channel: int, sessions: int, limit: int, on_duty: bool,
                     leaving: bool) -> bool:
    """A busy agent can take one more session of ``channel``: already serving that channel, below the
    channel's session ``limit``, on duty and not about to go off duty. A phone (limit 1) never can."""
    return agent_channel == channel and 0 < sessions < limit and on_duty and not leaving


@njit(cache=True)
def fewer_sessions(sessions: int, since: float, best_sessions: int, best_since: float, have_best: bool) -> bool:
    """A session-sharing candidate beats the best so far: fewer sessions in hand, then idle longer."""
    if not have_best or sessions < best_sessions:
        return True
    return sessions == best_sessions and since < best_since


@njit(cache=True)
def owner_takes_now(on_duty: bool, leaving: bool, sessions: int, idle: bool) -> bool:
    """An owned case that comes back goes to its owner now: at work, idle, not going off duty."""
    return on_duty and not leaving and sessions == 0 and idle


@njit(cache=True)
def pull_scope(sessions: int, limit: int, leaving: bool, has_callbacks: bool) -> int:
    """What a freed (or partly freed) agent takes next: ``PULL_NONE`` going off duty or full;
    with nothing in hand its own callbacks first (``PULL_CALLBACK``), then any of its team's queues
    (``PULL_ANY``); with chat sessions in hand and room for more, its channel's queues only
    (``PULL_CHANNEL``)."""
    if leaving:
        return PULL_NONE
    if sessions == 0:
        return PULL_CALLBACK if has_callbacks else PULL_ANY
    return PULL_CHANNEL if sessions < limit else PULL_NONE


@njit(cache=True)
def waited_longer(arrived: float, oldest_arrived: float, have_oldest: bool) -> bool:
    """A queue's head beats the oldest so far: it arrived strictly earlier (a tie keeps the queue
    seen first, in the team's order)."""
    return not have_oldest or arrived < oldest_arrived
