"""Property tests of the kernels that took over what both engines did by hand (issue 10): the
running totals and an agent's record (kernels.books), a need's type, channel, queue and patience and
its journey's end (kernels.needs), a new customer and word of mouth (kernels.population), the levers a decision or an intervention sets (kernels.levers), and effectiveness
and team capacity (kernels.capacity). Each is checked against a plain reference written from its
docstring, over inputs hypothesis picks.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.engines.fast import state
from cxsim.kernels.arrivals import next_need_time
from cxsim.kernels.books import agent_row, count_journey, running_totals
from cxsim.kernels.capacity import agent_effectiveness, team_capacities
from cxsim.kernels.journey import add_score, journey_verdict
from cxsim.kernels.levers import decided_levers, restaffs, team_targets
from cxsim.kernels.loyalty import WORD_DETERRENCE, WORD_NONE, WORD_REFERRAL, high_effort
from cxsim.kernels.management import L_BUDGET, L_EMPATHY, L_STAFFING, L_SUPPORT, N_LEVERS
from cxsim.kernels.needs import (
    FRESH_SCORES, arrival_after, contact_queue, draws_patience, first_resolved, review_due, journey_end, need_and_channel, patience,
    self_service_solves, upsets,
)
from cxsim.kernels.population import background_joins, background_rate, new_customer, word_of_mouth
from cxsim.layouts import AGENT_COLS, COUNTS, TOTAL_OF_COUNT, TOTALS
from cxsim.records import AgentRecord

settings.register_profile("cxsim", max_examples=200, deadline=None)
settings.load_profile("cxsim")

unit = st.floats(0.0, 1.0, exclude_max=True)


# --- kernels.books ------------------------------------------------------------------------------------
def test_the_fast_engines_counters_are_laid_out_as_layouts_counts():
    """``w.led`` is passed to the books kernels as is: its G_* indices must be the COUNTS order."""
    names = {"offered": "G_OFFERED", "handled": "G_HANDLED", "abandoned": "G_ABANDONED", "needs_created": "G_CREATED",
             "needs_solved": "G_SOLVED", "needs_given_up": "G_GIVEN_UP", "time_given": "G_TIME_GIVEN",
             "cases": "G_CASES", "journeys_ended": "G_JOURNEYS", "score_sum": "G_SCORE", "promoters": "G_PROMOTERS",
             "detractors": "G_DETRACTORS", "respondents": "G_RESPONDENTS",
             "respondent_promoters": "G_RESP_PROMOTERS", "respondent_detractors": "G_RESP_DETRACTORS"}
    assert [getattr(state, names[n]) for n in COUNTS] == list(range(len(COUNTS)))
    assert state.N_LED == len(COUNTS)
    assert all(TOTALS[TOTAL_OF_COUNT[i]] == name for i, name in enumerate(COUNTS))


journeys = st.lists(st.tuples(st.booleans(), st.floats(0.0, 10.0), st.sampled_from([-1, 0, 1]), st.booleans()),
                    max_size=40)


@given(journeys, st.booleans())
def test_count_journey_tallies_every_end_and_only_scored_verdicts(ends, scored):
    counts = np.zeros(len(COUNTS))
    for solved, score, nps, responded in ends:
        count_journey(counts, solved, scored, score, nps, responded)
    c = dict(zip(COUNTS, counts))
    assert c["needs_solved"] == sum(e[0] for e in ends)
    assert c["needs_solved"] + c["needs_given_up"] == len(ends)
    if not scored:
        assert c["journeys_ended"] == c["score_sum"] == c["promoters"] == c["respondents"] == 0
        return
    assert c["journeys_ended"] == len(ends)
    total = 0.0
    for e in ends:
        total += e[1]
    assert c["score_sum"] == total  # added in the order the journeys ended
    assert c["promoters"] == sum(e[2] > 0 for e in ends) and c["detractors"] == sum(e[2] < 0 for e in ends)
    assert c["respondents"] == sum(e[3] for e in ends)
    assert c["respondent_promoters"] == sum(e[3] and e[2] > 0 for e in ends) <= c["promoters"]
    assert c["respondent_detractors"] == sum(e[3] and e[2] < 0 for e in ends) <= c["detractors"]
    # Nothing else is touched.
    assert c["offered"] == c["handled"] == c["cases"] == c["time_given"] == 0


@given(st.lists(st.floats(0.0, 1e6), min_size=len(COUNTS), max_size=len(COUNTS)),
       st.lists(st.tuples(st.floats(0.0, 1e5), st.floats(0.0, 10.0)), min_size=1, max_size=6),
       st.booleans(), st.booleans(), st.lists(st.floats(0.0, 1e5), min_size=15, max_size=15))
def test_running_totals_name_every_total(counts, teams, population, workforce, x):
    counts = np.array(counts)
    staffed, cost = np.array([t[0] for t in teams]), np.array([t[1] for t in teams])
    out = np.full(len(TOTALS), np.nan)
    running_totals(out, counts, x[0], x[1], staffed, cost, x[2], population, x[3], x[4], x[5], x[6], workforce,
                   x[7], x[8], x[9], x[10], x[11], x[12], x[13], x[14])
    t = dict(zip(TOTALS, out))
    for name, value in zip(COUNTS, counts):
        assert t[name] == value
    s = c = 0.0
    for a, b in teams:
        s += a
        c += a * b
    assert t["staffed_area"] == s and t["staff_cost"] == c
    assert (t["queue_area"], t["busy_area"], t["pressure_area"]) == (x[0], x[1], x[2])
    people = ("churned", "acquired", "customer_area", "value_area")
    staff = ("leavers", "employed_area", "absent_area", "boreout_days", "staffed_days", "expected_leavers", "hires",
             "sick_area")
    assert [t[n] for n in people] == (x[3:7] if population else [0.0] * 4)
    assert [t[n] for n in staff] == (x[7:15] if workforce else [0.0] * 8)
    assert not np.isnan(out).any()  # every total written


# --- kernels.needs ------------------------------------------------------------------------------------
def cdf(weights):
    c = np.cumsum(np.array(weights, dtype=float))
    c /= c[-1]
    c[-1] = 1.0
    return c


weights = st.lists(st.floats(0.01, 10.0), min_size=1, max_size=6)


@given(weights, weights, unit, unit)
def test_need_and_channel_without_sensitivity_is_the_fixed_mix(needs, channels, u1, u2):
    nc, cc = cdf(needs), cdf(channels)
    need, channel = need_and_channel(u1, u2, nc, cc, np.array(channels), cc, cc, 0.0)
    assert need == bisect_right(list(nc), u1) < len(needs)
    assert channel == bisect_right(list(cc), u2) < len(channels)


@given(weights, unit, st.floats(0.1, 5.0))
def test_need_and_channel_at_the_usual_waits_is_the_fixed_mix(channels, u, sensitivity):
    """Customers who expect exactly the usual wait choose by preference alone, whatever the sensitivity."""
    cc = cdf(channels)
    norm = np.linspace(1.0, 100.0, len(channels))
    _, channel = need_and_channel(0.5, u, cdf([1.0]), cc, np.array(channels), norm.copy(), norm, sensitivity)
    _, fixed = need_and_channel(0.5, u, cdf([1.0]), cc, np.array(channels), norm.copy(), norm, 0.0)
    assert 0 <= channel < len(channels)
    if min(abs(u - c) for c in cc) > 1e-9:  # away from the seams, where rounding may differ
        assert channel == fixed


@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_contact_queue_escalates_only_after_enough_failed_contacts(n_channels, n_needs, data):
    channel, need = data.draw(st.integers(0, n_channels - 1)), data.draw(st.integers(0, n_needs - 1))
    after, contacts = data.draw(st.integers(0, 3)), data.draw(st.integers(1, 6))
    serves = np.array(data.draw(st.lists(st.booleans(), min_size=n_channels * n_needs,
                                         max_size=n_channels * n_needs)))
    q = contact_queue(channel, need, n_channels, n_needs, contacts, after, serves)
    first = channel * n_needs + need
    second = after > 0 and serves[first] and contacts - 1 >= after
    assert q == first + (n_channels * n_needs if second else 0)


@given(st.booleans(), st.booleans(), st.floats(0.0, 1e4), st.booleans(), st.floats(0.1, 3.0))
def test_patience_is_drawn_for_every_abandoning_contact_but_a_callback(abandons, callback, drawn, population, f):
    assert draws_patience(abandons, callback) == (abandons and not callback)
    assert patience(drawn, population, f) == (drawn * f if population else drawn)


@given(st.booleans(), st.floats(0.0, 10.0) | st.just(math.nan), st.floats(0.0, 10.0))
def test_upsets_only_below_the_threshold_with_wellbeing_on(on, score, below):
    assert upsets(on, score, below) == (on and score < below)


@given(st.lists(st.floats(0.0, 10.0), min_size=1, max_size=8), unit, unit, unit, st.integers(0, 2), st.booleans(),
       st.integers(1, 6), st.integers(0, 2), st.booleans())
def test_journey_end_is_the_verdict_and_the_effort(scores, u1, u2, u3, rule, stays, contacts, transfers, given_up):
    agg = FRESH_SCORES
    for x in scores:
        agg = add_score(*agg, x, 5.0)
    lowest, peak, _gap, last, total, count = agg
    off = journey_end(False, rule, lowest, peak, last, total, count, u1, u2, u3, 1.0, 0.2, 1.0, stays, contacts,
                      transfers, given_up, 3)
    assert math.isnan(off[0]) and off[1:] == (-1, False, 0, False, False)
    score, ltr, responded, nps, reacts, effort = journey_end(True, rule, lowest, peak, last, total, count, u1, u2, u3,
                                                             1.0, 0.2, 1.0, stays, contacts, transfers, given_up, 3)
    assert (score, ltr, responded, nps) == journey_verdict(rule, lowest, peak, last, total, count, u1, u2, u3, 1.0,
                                                           0.2, 1.0)
    assert 0.0 <= score <= 10.0 and 0 <= ltr <= 10
    assert reacts == stays and effort == high_effort(contacts, transfers, given_up, 3)


# --- kernels.levers -----------------------------------------------------------------------------------
@given(st.lists(st.integers(0, 200), min_size=1, max_size=5), st.floats(0.0, 3.0))
def test_team_targets_round_each_teams_base_head_count(base, staffing):
    targets = team_targets(np.array(base, dtype=np.int64), staffing)
    assert list(targets) == [int(round(b * staffing)) for b in base]


@given(st.floats(1.0, 30.0), st.floats(1.0, 30.0), st.floats(0.5, 2.0), st.floats(0.5, 1.5), st.floats(0.0, 5.0),
       st.lists(st.floats(1.0, 30.0), min_size=1, max_size=4), st.lists(st.integers(1, 50), min_size=1, max_size=4))
def test_decided_levers_move_what_was_decided_and_keep_the_rest(budget, policy_budget, staffing, support, empathy,
                                                                 need_budget, base):
    decided = np.empty(N_LEVERS)
    decided[L_BUDGET], decided[L_STAFFING], decided[L_SUPPORT], decided[L_EMPATHY] = budget, staffing, support, empathy
    b, s, su, e, budgets, targets = decided_levers(decided, policy_budget, np.array(need_budget),
                                                   np.array(base, dtype=np.int64))
    assert (b, s, su, e) == (budget, staffing, support, empathy)
    assert list(budgets) == (need_budget if budget == policy_budget else [budget] * len(need_budget))
    assert list(targets) == [int(round(x * staffing)) for x in base]
    assert restaffs(s, s) is False and restaffs(1.0, s) == (s != 1.0)


# --- kernels.capacity ---------------------------------------------------------------------------------
@given(st.floats(0.1, 2.0), st.floats(0.0, 1e5), st.floats(0.0, 1e5), st.floats(0.0, 1.0), st.floats(0.0, 2e4))
def test_effectiveness_ramps_up_from_the_rookie_start_to_full(proficiency, hired, later, start, ramp):
    assert agent_effectiveness(proficiency, hired, hired + later, False, start, ramp) == proficiency
    e = agent_effectiveness(proficiency, hired, hired + later, True, start, ramp)
    assert min(start, 1.0) * proficiency - 1e-12 <= e <= proficiency + 1e-12
    assert agent_effectiveness(proficiency, hired, hired + later + 60.0, True, start, ramp) >= e - 1e-12


@given(st.lists(st.tuples(st.integers(0, 2), st.booleans(), st.booleans(), st.floats(-1e5, 0.0)), max_size=30),
       st.floats(0.0, 1e4), st.booleans())
def test_team_capacity_adds_the_employed_agents_on_duty_in_id_order(agents, now, ramp_on):
    proficiency = np.array([1.0, 0.7, 1.3])
    out = np.full(3, np.nan)
    team_capacities(out, np.array([a[0] for a in agents], dtype=np.int64), np.array([a[1] for a in agents], dtype=bool),
                    np.array([a[2] for a in agents], dtype=bool), np.array([a[3] for a in agents]), now, proficiency,
                    ramp_on, 0.35, 12 * 7 * 1440.0)
    for t in range(3):
        total = 0.0
        for team, on, gone, hired in agents:
            if team == t and on and not gone:
                total += agent_effectiveness(proficiency[t], hired, now, ramp_on, 0.35, 12 * 7 * 1440.0)
        assert out[t] == total


@given(st.floats(0.0, 1e5), st.floats(0.0, 1e5), st.integers(0, 1000), st.floats(0.0, 1e4), st.floats(0.0, 1.0),
       st.floats(0.0, 1e5) | st.just(-1e18), st.floats(0.0, 1.0))
def test_agent_row_counts_from_the_warm_up_and_in_days(staffed, busy, handled, absent, share, hired, wellbeing):
    row = np.full(AGENT_COLS, np.nan)
    agent_row(row, 7, 2, staffed, busy, handled, wellbeing, absent, 3, hired, math.nan, 0.25, 0.75,
              staffed * share, busy * share, handled // 2)
    r = AgentRecord(*row)
    assert (r.agent, r.team, r.boreout_days, r.strain, r.engagement, r.wellbeing) == (7, 2, 3, 0.25, 0.75, wellbeing)
    assert r.staffed == staffed - staffed * share and r.busy == busy - busy * share
    assert r.handled == handled - handled // 2 and r.absent_days == absent / 1440.0
    assert math.isnan(r.hired) if hired < 0 else r.hired == hired
    assert math.isnan(r.left)


# --- kernels.population and the small decisions of kernels.needs ----------------------------------------
@given(unit, unit, unit, st.lists(st.floats(0.01, 5.0), min_size=1, max_size=4), st.floats(0.0, 3.0))
def test_new_customer_is_in_a_segment_with_its_waits_and_a_bounded_expectation(us, u1, u2, shares, spread):
    n = len(shares)
    share_cdf = cdf(shares)
    expected = np.array([1.0, 60.0, 1440.0])
    factor = np.linspace(0.5, 1.5, n)
    waits = np.full(3, np.nan)
    seg, x = new_customer(us, u1, u2, share_cdf, np.linspace(4.0, 8.0, n), spread, expected, factor, waits)
    assert seg == min(bisect_right(list(share_cdf), us), n - 1)
    assert list(waits) == list(expected * factor[seg])
    assert 0.0 <= x <= 10.0
    if spread == 0.0:
        assert x == np.linspace(4.0, 8.0, n)[seg]


@given(st.sampled_from([WORD_NONE, WORD_REFERRAL, WORD_DETERRENCE]), st.integers(0, 5))
def test_word_of_mouth_and_the_background_clock_settle_what_detractors_owe(word, owed):
    joins, after = word_of_mouth(word, owed)
    assert joins == (word == WORD_REFERRAL)
    assert after == owed + (word == WORD_DETERRENCE)
    # Each acquisition the clock brings either comes (nothing owed) or pays one debt.
    total_joined = 0
    for _ in range(after + 3):
        came, after = background_joins(after)
        total_joined += came
    assert after == 0 and total_joined == 3


@given(unit, unit, st.integers(1, 5), st.booleans(), st.booleans())
def test_self_service_and_first_contact_resolution(u, p_self, contacts, before, solved):
    assert self_service_solves(u, p_self) == (u < p_self)
    assert first_resolved(contacts, before, solved) == (solved if contacts == 1 else before)


@given(st.floats(0.0, 1e4), unit, st.lists(st.integers(0, 50), min_size=1, max_size=3), st.booleans())
def test_arrival_after_scales_by_the_active_customers_need_rates(t, u, counts, population):
    week_rate = np.full(168, 0.5)
    rate_factor = np.linspace(0.5, 2.0, len(counts))
    counts = np.array(counts, dtype=np.int64)
    scale = float(np.dot(counts, rate_factor)) if population else 1.0
    got = arrival_after(t, u, week_rate, population, counts, rate_factor, np.zeros(0), np.zeros(0))
    if scale > 0:
        assert math.isclose(got, next_need_time(t, u, week_rate, scale, np.zeros(0), np.zeros(0)), rel_tol=1e-12)
        assert got >= t


@given(st.lists(st.floats(1.0, 1e5), max_size=5, unique=True).map(sorted), st.integers(0, 6), st.floats(0.0, 1e5))
def test_review_due_only_at_the_next_review_time(reviews, done, now):
    r = np.array(reviews, dtype=float)
    assert not review_due(r, done, now + 0.5) or (done < len(r) and r[done] == now + 0.5)
    if done < len(r):
        assert review_due(r, done, r[done])
    else:
        assert not review_due(r, done, now)


@given(st.floats(-1.0, 1.0), st.integers(-1, 10_000))
def test_background_clocks_run_only_with_customers_and_a_hazard(hazard, n):
    rate = background_rate(hazard, n)
    assert rate == (hazard * n if hazard > 0 and n > 0 else 0.0)
    assert rate >= 0.0
