"""A journey's steps, close and the customer's reaction as one kernel each (kernels/steps.py, kernels/churn.py).

Oracles: the calls each kernel replaces, made one by one as both engines made them before (hypothesis
over the inputs, exact equality: the same bits), the packed parameters against the compiled blocks
they come from, and known answers by construction (a sure churn, a promoter's sure referral, a
journey not scored leaves the score uncounted).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxsim
from cxsim.codes import CALLBACK, GIVEN_UP, NEXT_CLOSE_SOLVED, NEXT_GIVE_UP, NEXT_SWITCH, REPEAT, SOLVED
from cxsim.compiled import compile_scenario
from cxsim.kernels.books import count_journey
from cxsim.kernels.capacity import agent_effectiveness
from cxsim.kernels.empathy import engaged_empathy
from cxsim.kernels.churn import close_journey, close_params, customer_reaction, loyalty_params
from cxsim.kernels.journey import after_self_service, contact_work, encounter_solved, given_share, plan_encounter
from cxsim.kernels.loyalty import loyalty_after_journey
from cxsim.kernels.needs import first_resolved, journey_end, need_and_channel, self_service_solves
from cxsim.kernels.outcome import (
    after_abandoned_contact, after_contact, after_unsolved_contact, comeback, encounter_experience,
)
from cxsim.kernels.population import word_of_mouth
from cxsim.kernels.steps import (
    abandoned_step, comeback_step, encounter_step, experience_params, handled_step, handling_params, handling_step,
    need_kind, need_params, self_service_step, step_params, unsolved_step,
)
from cxsim.kernels.workforce_day import agent_quality, agent_speed, day_params
from cxsim.layouts import C_CASES, C_TIME_GIVEN, COUNTS

from helpers import SCENARIOS

unit = st.floats(0.0, 1.0, exclude_max=True)
minutes = st.floats(0.0, 120.0)
work = st.floats(0.1, 120.0)  # work and time needed: never zero in the model (a duration's draw)
score = st.floats(0.0, 10.0)


def _same(a, b) -> bool:
    """Equal tuples, NaN equal to NaN (the kernels must give the very same bits)."""
    return len(a) == len(b) and all((isinstance(x, float) and math.isnan(x) and math.isnan(y)) or x == y
                                    for x, y in zip(a, b))


@pytest.fixture(scope="module")
def params():
    """The shipped default centre's encounter policy: population, experience, loyalty, progress and ownership on."""
    return compile_scenario(cxsim.load_scenario(SCENARIOS / "contact_centre.yaml"), "encounter")


@pytest.fixture(scope="module")
def wellbeing_params():
    return compile_scenario(cxsim.load_scenario(SCENARIOS / "wellbeing.yaml"), "steady")


def test_packed_parameters_are_the_compiled_blocks(params):
    pg, e, lo = params.progress, params.experience, params.loyalty
    k = step_params(params)
    assert k[:4] == (params.mechanisms.handling, params.give_up, pg.owned_give_up, pg.callback_promise)
    assert np.array_equal(k[4], params.week_profile) and k[5:] == (params.wall_clock, pg.on, pg.re_explain)
    x = experience_params(params)
    assert x[:8] == (e.neutral, e.expectation_weight, pg.callback_promise, e.weight_wait, e.weight_resolution,
                     e.weight_empathy, e.weight_effort, e.loss_aversion)
    assert np.array_equal(x[8], e.coefficients) and x[9] == params.customers.wait_learning
    assert x[10] == params.mechanisms.experience
    assert close_params(params) == (params.mechanisms.experience, params.mechanisms.loyalty, params.journey_rule,
                                    e.recommend_spread, e.survey_rate, e.survey_extremity, lo.high_effort_contacts)
    en = params.wellbeing.engagement
    assert handling_params(params) == (params.mechanisms.wellbeing, params.mechanisms.handling, en is not None,
                                       en.empathy_sensitivity if en else 0.0, params.wellbeing.rookie_start,
                                       params.wellbeing.ramp_up)
    assert loyalty_params(params) == (lo.comparison_level, lo.learning, lo.journey_churn, lo.sensitivity,
                                      lo.effort_multiplier, lo.referral, lo.deterrence, lo.churn_window_days)


@settings(max_examples=150, deadline=None)
@given(ticket_work=st.one_of(st.just(-1.0), minutes), need_work=minutes, proficiency=st.floats(0.2, 2.0),
       hired=st.floats(-1e5, 1e5), now=st.floats(0.0, 1e5), w=unit, engagement=unit, sessions=st.integers(1, 3),
       transferred=st.booleans(), budget=st.floats(1.0, 60.0), overrun=st.integers(0, 2), empathy=st.floats(0.0, 5.0),
       standard=st.floats(0.5, 1.5), multiplier=st.floats(0.5, 1.5), slowdown=st.floats(1.0, 2.0),
       on=st.booleans(), handling=st.booleans(), engaged=st.booleans(), sensitivity=unit)
def test_handling_step_is_the_calls_it_replaces(wellbeing_params, ticket_work, need_work, proficiency, hired, now, w,
                                                engagement, sessions, transferred, budget, overrun, empathy, standard,
                                                multiplier, slowdown, on, handling, engaged, sensitivity):
    wb, day = wellbeing_params.wellbeing, day_params(wellbeing_params.wellbeing)
    k = (on, handling, engaged, sensitivity, wb.rookie_start, wb.ramp_up)
    plan = plan_encounter(contact_work(ticket_work, need_work),
                          agent_effectiveness(proficiency, hired, now, on, wb.rookie_start, wb.ramp_up),
                          agent_speed(on, w, day), handling, transferred, budget, overrun,
                          engaged_empathy(empathy, engagement, sensitivity, engaged), standard, multiplier, slowdown,
                          sessions)
    counts = np.zeros(len(COUNTS))
    counts[C_TIME_GIVEN] = 7.0
    new = handling_step(counts, ticket_work, need_work, proficiency, hired, now, w, engagement, sessions, transferred,
                        budget, overrun, empathy, standard, multiplier, slowdown, day, k)
    assert _same(new, (*plan, given_share(plan[1], plan[0])))
    assert counts[C_TIME_GIVEN] == 7.0 + plan[1] and counts[C_CASES] == 1.0
    assert np.count_nonzero(counts) == 2  # nothing else counted


@pytest.fixture(scope="module")
def segmented():
    """Three customer segments with their own need mixes, and channel choice that responds to the wait."""
    from test_customers import SEGMENTS, scenario
    return compile_scenario(scenario(demand__segments=SEGMENTS, customers={"wait_sensitivity": 0.8}))


@settings(max_examples=150, deadline=None)
@given(u_type=unit, u_channel=unit, data=st.data())
def test_need_kind_is_the_calls_it_replaces(segmented, params, u_type, u_channel, data):
    for p in (segmented, params):
        cp, k = p.customers, need_params(p)
        n_channels = len(p.channels)
        waits = np.array(data.draw(st.lists(st.floats(0.0, 60.0), min_size=n_channels, max_size=n_channels)))
        seg = data.draw(st.integers(0, len(cp.names) - 1))
        assert need_kind(u_type, u_channel, seg, waits, k) == need_and_channel(
            u_type, u_channel, cp.need_cdf[seg], cp.channel_cdf[seg], cp.channel_weight[seg], waits, cp.wait_norm,
            cp.wait_sensitivity)
        assert need_kind(u_type, u_channel, -1, waits, k) == need_and_channel(
            u_type, u_channel, p.need_cdf, p.channel_cdf, p.channel_cdf, p.channel_cdf, p.channel_cdf, 0.0)


@settings(max_examples=100, deadline=None)
@given(u=unit, delay=st.floats(0.0, 5000.0), now=st.floats(0.0, 50_000.0), retrial=unit)
def test_abandoned_step_is_the_call_it_replaces(params, u, delay, now, retrial):
    old = after_abandoned_contact(u, delay, now, retrial, params.week_profile, params.wall_clock)
    assert abandoned_step(u, delay, now, retrial, step_params(params)) == old


@settings(max_examples=150, deadline=None)
@given(u=unit, base=unit, needed=work, given_=minutes, transfer=st.booleans(), on=st.booleans(), w=unit,
       strain=unit, engagement=unit, contacts=st.integers(1, 6), before=st.booleans(),
       ticket_work=st.one_of(st.just(-1.0), work), need_work=work, overhead=st.floats(0.0, 5.0),
       left=minutes, done=minutes)
def test_handled_step_is_the_calls_it_replaces(wellbeing_params, u, base, needed, given_, transfer, on, w, strain,
                                               engagement, contacts, before, ticket_work, need_work, overhead, left,
                                               done):
    p, k = wellbeing_params, day_params(wellbeing_params.wellbeing)
    quality = agent_quality(on, w, strain, engagement, k)
    solved = encounter_solved(u, base, given_, needed, quality, transfer, p.quality_gap, p.quality_level)
    old = (solved, given_share(given_, needed), first_resolved(contacts, before, solved),
           *after_contact(solved, transfer, needed, given_, ticket_work, need_work, overhead, left, done))
    new = handled_step(u, base, needed, given_, transfer, on, w, strain, engagement, k, p.quality_gap,
                       p.quality_level, contacts, before, ticket_work, need_work, overhead, left, done)
    assert _same(new, old)


@settings(max_examples=100, deadline=None)
@given(u=unit, p_self=unit, contacts=st.integers(1, 6), before=st.booleans())
def test_self_service_step_is_the_calls_it_replaces(u, p_self, contacts, before):
    solved = self_service_solves(u, p_self)
    assert self_service_step(u, p_self, contacts, before) == (solved, first_resolved(contacts, before, solved),
                                                              after_self_service(solved))


def test_self_service_step_known_answers():
    assert self_service_step(0.2, 0.5, 1, False) == (True, True, NEXT_CLOSE_SOLVED)
    assert self_service_step(0.7, 0.5, 1, True) == (False, False, NEXT_SWITCH)
    assert self_service_step(0.2, 0.5, 3, False) == (True, False, NEXT_CLOSE_SOLVED)  # not the first contact


@settings(max_examples=150, deadline=None)
@given(u=unit, delay=st.floats(0.0, 5000.0), now=st.floats(0.0, 50_000.0), has_agent=st.booleans(),
       gone=st.booleans(), ownership=st.booleans())
def test_unsolved_step_is_the_call_it_replaces(params, u, delay, now, has_agent, gone, ownership):
    p, pg = params, params.progress
    old = after_unsolved_contact(u, delay, now, has_agent, gone, p.mechanisms.handling, ownership, p.give_up,
                                 pg.owned_give_up, pg.callback_promise, p.week_profile, p.wall_clock)
    assert unsolved_step(u, delay, now, has_agent, gone, ownership, step_params(p)) == old


def test_unsolved_step_ownership_decides_whose_give_up_applies(params):
    """An agent still there keeps the need (its give-up probability is the owned need's); one who has
    left does not (the customer's); an owned need returns at the promise."""
    k = step_params(params)
    assert params.mechanisms.handling
    owned_p, p = params.progress.owned_give_up, params.give_up
    u = (owned_p + p) / 2  # between the two probabilities: gives up under exactly one of them
    step, when, owned = unsolved_step(u, 100.0, 1000.0, True, False, True, k)
    assert owned and (step == NEXT_GIVE_UP) == (u < owned_p)
    if step != NEXT_GIVE_UP and params.progress.callback_promise > 0:
        assert when == 1000.0 + params.progress.callback_promise
    step, _when, owned = unsolved_step(u, 100.0, 1000.0, True, True, True, k)  # the agent has left
    assert not owned and (step == NEXT_GIVE_UP) == (u < p)


@settings(max_examples=150, deadline=None)
@given(owned=st.booleans(), gone=st.booleans(), absent=st.booleans(), channel=st.integers(0, 3), u=unit,
       left=minutes, done=minutes, notes=unit)
def test_comeback_step_is_the_call_it_replaces(params, owned, gone, absent, channel, u, left, done, notes):
    p, pg = params, params.progress
    row = p.switch_cdf[channel]
    old = comeback(owned, owned and gone, owned and absent, channel, row, u, pg.on, left, done, notes, pg.re_explain)
    new = comeback_step(owned, gone, absent, channel, row, u, left, done, notes, step_params(p))
    assert new == old
    assert (new[0] == CALLBACK) == (owned and not gone and not absent)
    assert new[0] in (CALLBACK, REPEAT) and (new[0] != CALLBACK or new[1] == channel)


@settings(max_examples=150, deadline=None)
@given(expectation=score, usual=minutes, wait=minutes, answered=st.booleans(), solved=st.booleans(), share=unit,
       empathy=st.floats(0.0, 5.0), has_agent=st.booleans(), w=unit, contacts=st.integers(1, 6),
       transfers=st.integers(0, 3), callback=st.booleans(), population=st.booleans(), queued=st.booleans(),
       scores=st.lists(score, min_size=0, max_size=4))
def test_encounter_step_is_the_call_it_replaces(params, expectation, usual, wait, answered, solved, share, empathy,
                                                has_agent, w, contacts, transfers, callback, population, queued,
                                                scores):
    e = params.experience
    lowest, peak, gap, last, total, n = 10.0, 0.0, -1.0, 0.0, 0.0, 0
    for s in scores:  # some running aggregates a journey could have
        lowest, peak, gap, last, total, n = min(lowest, s), s, abs(s - 5.0), s, total + s, n + 1
    old = encounter_experience(expectation, usual, wait, answered, solved, share, empathy, has_agent, w, contacts,
                               transfers, callback, population, queued, lowest, peak, gap, last, total, n, e.neutral,
                               e.expectation_weight, params.progress.callback_promise, e.weight_wait,
                               e.weight_resolution, e.weight_empathy, e.weight_effort, e.loss_aversion,
                               e.coefficients, params.customers.wait_learning)
    k = experience_params(params)
    args = (expectation, usual, wait, answered, solved, share, empathy, has_agent, w, contacts, transfers, callback,
            population, queued, lowest, peak, gap, last, total, n)
    new = encounter_step(*args, k)
    assert _same(new, old)
    assert 0.0 <= new[0] <= 10.0 and new[6] == n + 1
    off = encounter_step(*args, (*k[:-1], False))  # experience off: nothing scored, nothing learnt
    assert math.isnan(off[0]) and off[1:] == (lowest, peak, gap, last, total, n, usual)


@settings(max_examples=150, deadline=None)
@given(status=st.sampled_from([SOLVED, GIVEN_UP]), u1=unit, u2=unit, u3=unit, scores=st.lists(score, min_size=1,
       max_size=5), contacts=st.integers(1, 8), transfers=st.integers(0, 3), active=st.booleans(),
       experience=st.booleans(), loyalty=st.booleans())
def test_close_journey_is_the_calls_it_replaces(params, status, u1, u2, u3, scores, contacts, transfers, active,
                                                experience, loyalty):
    k = (experience, loyalty, *close_params(params)[2:])
    _, _, rule, spread, rate, extremity, effort_contacts = k
    lowest, peak, last, total, n = min(scores), max(scores), scores[-1], sum(scores), len(scores)
    before = np.zeros(len(COUNTS))
    old = journey_end(experience, rule, lowest, peak, last, total, n, u1, u2, u3, spread, rate, extremity,
                      loyalty and active, contacts, transfers, status == GIVEN_UP, effort_contacts)
    count_journey(before, status == SOLVED, experience, old[0], old[3], old[2])
    after = np.zeros(len(COUNTS))
    new = close_journey(after, status, u1, u2, u3, lowest, peak, last, total, n, contacts, transfers, active, k)
    assert _same(new, old)
    assert np.array_equal(after, before)
    assert new[4] == (experience and loyalty and active)  # only a scored journey of an active customer reacts


def test_close_journey_unscored_counts_only_the_status(params):
    k = (False, True, *close_params(params)[2:])
    counts = np.zeros(len(COUNTS))
    out = close_journey(counts, SOLVED, 0.0, 0.0, 0.0, 7.0, 9.0, 8.0, 16.0, 2, 2, 0, True, k)
    assert math.isnan(out[0]) and out[1] == -1 and not out[4]
    assert counts.sum() == 1.0  # one solved journey, nothing scored


@settings(max_examples=150, deadline=None)
@given(balance=st.floats(-5.0, 5.0), s=score, effort=st.booleans(), nps=st.sampled_from([-1, 0, 1]), u_churn=unit,
       u_word=unit, owed=st.integers(0, 5))
def test_customer_reaction_is_the_calls_it_replaces(params, balance, s, effort, nps, u_churn, u_word, owed):
    lo = params.loyalty
    b, left, word = loyalty_after_journey(balance, s, effort, nps, u_churn, u_word, lo.comparison_level, lo.learning,
                                          lo.journey_churn, lo.sensitivity, lo.effort_multiplier, lo.referral,
                                          lo.deterrence, lo.churn_window_days)
    joins, owed_after = word_of_mouth(word, owed)
    assert customer_reaction(balance, s, effort, nps, u_churn, u_word, owed, loyalty_params(params)) == \
        (b, left, joins, owed_after)


def test_customer_reaction_known_answers():
    # comparison level 7, learning 1, churn 50 %/month, no sensitivity, no effort: P(leave in 30 days) = 0.5.
    k = (7.0, 1.0, 0.5, 0.0, 1.0, 1.0, 1.0, 30.0)
    balance, left, joins, owed = customer_reaction(0.0, 9.0, False, 1, 0.49, 0.0, 0, k)
    assert balance == 2.0 and left and joins and owed == 0        # a promoter's sure referral
    _, left, joins, owed = customer_reaction(0.0, 9.0, False, -1, 0.51, 0.0, 3, k)
    assert not left and not joins and owed == 4                   # a detractor's sure deterrence
    _, left, joins, owed = customer_reaction(0.0, 9.0, False, 0, 0.51, 0.0, 3, k)
    assert not left and not joins and owed == 3                   # a passive says nothing
