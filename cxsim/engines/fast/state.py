"""The fast engine's state: every entity is a set of arrays, gathered in one namedtuple.

Needs live in recycled *slots* (a need's current contact — its "ticket" — lives in the same slot,
since a need has at most one contact at a time). Agents, customers, the event heap and the
record tables are arrays too. Queues and the agents' callback lists are intrusive linked lists
threaded through the need slots: abandonment takes a contact out of the middle of a queue in
O(1), and nothing ever needs compacting. Mutable scalars live in two small arrays (``ic``,
``fc``) indexed by the names below.

Arrays are allocated in Python as a namedtuple (the layout) and seen by the loop through a numba
StructRef. They are grown in Python: the loop checks its margins at the top of every event and
returns a code when a group of arrays is about to fill up; the driver doubles it and calls the
loop again, which carries on exactly where it stopped (all of its state is in these arrays).
"""

from __future__ import annotations

import operator
import threading
from typing import NamedTuple

import numpy as np
from numba import types
from numba.core import cgutils, imputils
from numba.core.datamodel import models
from numba.core.typing.typeof import typeof
from numba.experimental import structref
from llvmlite import ir
from numba.extending import (
    infer_getattr, intrinsic, lower_getattr_generic, overload, overload_method, register_model,
)
from numba.core.typing.templates import AttributeTemplate

from ...layouts import AGENT_COLS, DAY_COLS, ENC_COLS, JOUR_COLS, TOTALS
from ...kernels.fcr import EMPTY, FCR_COLS, SLOTS as FCR_SLOTS
from ...kernels.management import REVIEW_COLS
from ...tallies import COUNT_WIDTH, Q_WIDTH

# --- integer scalars (ic) ---
I_SEQ, I_HEAP, I_NEXT_NEED, I_OPEN, I_FREE, I_AGENTS, I_ACTIVE, I_CUSTOMERS, I_ENC, I_JOUR, I_DAYS, I_LEVER, \
    I_SERIAL, I_CUT, I_ARRIVING, I_OWED, I_CHURNED, I_ACQUIRED, I_DETERRED, I_LEAVERS, I_HIRES, I_BOREOUT, \
    I_STAFFED_DAYS, I_PINNED, I_KEEP, I_EVENTS, I_HIRE_ROOM, I_REVIEWS = range(28)
I_NOW_HEAD, I_NOW_TAIL = 28, 29  # the same-time queue (heap.push_now): its first and next free entry
I_HEAP_PENDING = 30  # 1: the heap's top was handed out by pop_next and is still to be removed (heap.settle)
N_IC = 31
# --- float scalars (fc) ---
F_NOW, F_ARRIVAL, F_PRESSURE_AREA, F_SUPPORT, F_LAST_CUT, F_EXPECTED_LEAVERS = range(6)
N_FC = 6
# --- time-integrated levels (lv rows: level, area, last change) ---
L_WAITING, L_BUSY, L_EMPLOYED, L_ABSENT, L_CUSTOMERS, L_VALUE = range(6)
L_SICK = 6  # agents off with baseline sickness (kernels.sickness; appended)
N_LV = 7
# --- ledger counters (led) ---
G_OFFERED, G_HANDLED, G_ABANDONED, G_CREATED, G_SOLVED, G_GIVEN_UP, G_TIME_GIVEN, G_CASES, G_JOURNEYS, G_SCORE, \
    G_PROMOTERS, G_DETRACTORS, G_RESPONDENTS, G_RESP_PROMOTERS, G_RESP_DETRACTORS = range(15)
N_LED = 15
N_TOTALS = len(TOTALS)  # the running totals at the last period cut (layouts.TOTALS)


#: Which capacity each array prefix grows with.
GROUPS = {"n_": "needs", "tk_": "needs", "hd_": "needs", "lk_": "needs", "free": "needs", "a_": "agents",
          "h_": "heap", "c_": "customers", "enc": "encounters", "jour": "journeys"}


class World(NamedTuple):
    # need slots: the need ...
    n_id: np.ndarray
    n_customer: np.ndarray
    n_type: np.ndarray
    n_first_channel: np.ndarray
    n_created: np.ndarray
    n_work: np.ndarray
    n_contacts: np.ndarray
    n_abandons: np.ndarray
    n_transfers: np.ndarray
    n_first_resolved: np.ndarray
    n_lowest: np.ndarray
    n_peak: np.ndarray
    n_peak_gap: np.ndarray
    n_last: np.ndarray
    n_total: np.ndarray
    n_scored: np.ndarray
    n_live: np.ndarray
    n_channel: np.ndarray       # the channel of its current or next contact
    n_next_kind: np.ndarray     # kind of the next contact after a delay (retrial / repeat)
    n_owner: np.ndarray         # the agent who will call back (-1: none)
    n_where: np.ndarray         # the uniform that picks a repeat's channel
    n_first_handled: np.ndarray  # its first-contact resolution is already tallied
    # ... its current contact (ticket) ...
    tk_active: np.ndarray
    tk_serial: np.ndarray
    tk_channel: np.ndarray
    tk_queue: np.ndarray
    tk_kind: np.ndarray
    tk_arrived: np.ndarray
    tk_work: np.ndarray
    tk_owner: np.ndarray
    tk_done: np.ndarray
    tk_wait: np.ndarray
    tk_agent: np.ndarray
    # ... what its handling was given ...
    hd_needed: np.ndarray
    hd_given: np.ndarray
    hd_empathy: np.ndarray
    hd_handle: np.ndarray
    hd_transfer: np.ndarray
    # ... and the links of the queue or callback list it waits in
    lk_next: np.ndarray
    lk_prev: np.ndarray
    free: np.ndarray            # stack of free slots
    # agents
    a_team: np.ndarray
    a_sessions: np.ndarray
    a_channel: np.ndarray
    a_idle_since: np.ndarray
    a_on_duty: np.ndarray
    a_leaving: np.ndarray
    a_busy: np.ndarray          # level rows
    a_staffed: np.ndarray
    a_handled: np.ndarray
    a_wellbeing: np.ndarray
    a_since: np.ndarray
    a_upset: np.ndarray
    a_low_since: np.ndarray
    a_absent: np.ndarray
    a_gone: np.ndarray
    a_hired: np.ndarray
    a_cb_head: np.ndarray
    a_cb_tail: np.ndarray
    a_absent_minutes: np.ndarray
    a_absent_since: np.ndarray
    a_boreout_days: np.ndarray
    a_left: np.ndarray
    a_idle_prev: np.ndarray
    a_idle_next: np.ndarray
    a_in_idle: np.ndarray
    a_day_staffed: np.ndarray
    a_day_busy: np.ndarray
    a_warm_staffed: np.ndarray
    a_warm_busy: np.ndarray
    a_warm_handled: np.ndarray
    a_strain: np.ndarray        # chronic strain S
    a_load: np.ndarray          # occupancy of recent days worked, smoothed
    a_day_low: np.ndarray       # lowest W since the last daily step
    a_engagement: np.ndarray    # engagement E (kernels.engagement)
    a_day_upset: np.ndarray     # upset customers since the last daily step
    a_on_break: np.ndarray      # off duty for a break within the shift (kernels.breaks)
    a_sick_left: np.ndarray     # days of a baseline sickness spell still to go (kernels.sickness; a_absent too)
    # teams (and the organisation's pressure and standard per team)
    tm_idle_head: np.ndarray
    tm_idle_tail: np.ndarray
    tm_on_shift: np.ndarray
    tm_staffed: np.ndarray
    tm_size: np.ndarray
    tm_shift_week: np.ndarray
    tm_shift_k: np.ndarray
    tm_shift_phase: np.ndarray
    tm_pressure: np.ndarray
    tm_standard: np.ndarray
    tm_multiplier: np.ndarray
    tm_given: np.ndarray
    tm_count: np.ndarray
    # queues
    q_head: np.ndarray
    q_tail: np.ndarray
    q_queued: np.ndarray
    q_offered: np.ndarray
    # the event heap
    h_time: np.ndarray
    h_order: np.ndarray
    h_kind: np.ndarray  # the event's kind and payload packed in one integer (heap._pack)
    # customers
    c_expectation: np.ndarray
    c_balance: np.ndarray
    c_position: np.ndarray
    c_active: np.ndarray
    c_segment: np.ndarray
    c_segment_position: np.ndarray  # place in the segment's active list (-1 once churned)
    c_in_segment: np.ndarray        # [i, segment]: the active customers of each segment
    c_waits: np.ndarray             # [customer, channel] the wait the customer expects
    c_joined: np.ndarray
    c_left: np.ndarray
    seg_count: np.ndarray           # active customers per segment
    # records
    enc: np.ndarray
    jour: np.ndarray
    days: np.ndarray
    agents_out: np.ndarray
    # scalars
    ic: np.ndarray
    fc: np.ndarray
    lv: np.ndarray
    led: np.ndarray
    totals: np.ndarray
    tq: np.ndarray              # metric tallies (cxsim.tallies): queues ...
    tc: np.ndarray              # ... and counts
    mg_rows: np.ndarray         # management reviews (kernels.management.REVIEW_COLS), one row per review
    # need slots, carried progress (kernels.progress): the work its next contact carries (-1: all),
    # and what its last unsolved contact left and did
    n_carry: np.ndarray
    n_left: np.ndarray
    n_done: np.ndarray
    # first-contact resolution as measured (kernels.fcr, under management): pending handled contacts
    # per customer (per need slot without a population), and the tally by day
    c_fcr: np.ndarray
    n_fcr: np.ndarray
    fcr_days: np.ndarray
    # the same-time queue (heap.push_now): events for the current time, in scheduling order
    h_now_order: np.ndarray
    h_now_kind: np.ndarray
    h_now_a: np.ndarray
    h_now_b: np.ndarray


#: The record columns ``journey.log`` and ``journey.log_journey`` write, every one, in every row they
#: keep (only rows up to ``I_ENC`` / ``I_JOUR`` are ever read). The record tables then need no
#: zeroing: ~10 MB per 8-hour Erlang run, 4 % of its time in ``memset``. If the layouts gain a
#: column the engine does not write, the tables are zeroed as before.
_WRITTEN_ENC_COLS, _WRITTEN_JOUR_COLS = 16, 15


def _empty(name: str, n: int, n_teams: int, n_queues: int, days: int, width_hint: int) -> np.ndarray:
    """A fresh array for field ``name`` with capacity ``n`` of its group."""
    floats = {"n_created", "n_work", "n_lowest", "n_peak", "n_peak_gap", "n_last", "n_total", "n_where",
              "tk_arrived", "tk_work", "tk_wait", "hd_needed", "hd_given", "hd_empathy", "hd_handle",
              "a_idle_since", "a_wellbeing", "a_since", "a_low_since", "a_hired", "a_absent_minutes",
              "a_absent_since", "a_left", "a_day_staffed", "a_day_busy", "a_warm_staffed", "a_warm_busy",
              "tm_pressure", "tm_standard", "tm_multiplier", "tm_given", "tm_shift_week", "h_time",
              "c_expectation", "c_balance", "c_joined", "c_left", "a_strain", "a_load", "a_day_low", "a_engagement", "n_carry", "n_left",
              "n_done"}
    bools = {"n_first_resolved", "n_first_handled", "n_live", "tk_active", "tk_done", "hd_transfer", "a_on_duty", "a_leaving",
             "a_absent", "a_gone", "a_in_idle", "tm_on_shift", "a_on_break"}
    if name in ("a_busy", "a_staffed"):
        return np.zeros((n, 3))
    if name == "tm_staffed":
        return np.zeros((n_teams, 3))
    if name == "enc":  # uninitialised when the engine writes every column of every row it keeps
        return (np.empty if ENC_COLS == _WRITTEN_ENC_COLS else np.zeros)((n, ENC_COLS))
    if name == "jour":
        return (np.empty if JOUR_COLS == _WRITTEN_JOUR_COLS else np.zeros)((n, JOUR_COLS))
    if name == "days":
        return np.zeros((days, DAY_COLS))
    if name == "mg_rows":
        return np.zeros((days, REVIEW_COLS))
    if name in ("c_fcr", "n_fcr"):
        return np.full((n, FCR_SLOTS), EMPTY)
    if name == "fcr_days":
        return np.zeros((days, FCR_COLS))
    if name == "agents_out":
        return np.zeros((0, AGENT_COLS))
    size = n_teams if name.startswith("tm_") else n_queues if name.startswith("q_") else n
    if name in floats:
        return np.zeros(size)
    if name in bools:
        return np.zeros(size, dtype=np.bool_)
    return np.zeros(size, dtype=np.int64)


def group_of(name: str) -> str | None:
    for prefix, group in GROUPS.items():
        if name.startswith(prefix):
            return group
    return None


_LINKS = ("lk_next", "lk_prev", "tk_agent", "tk_owner", "n_owner", "a_cb_head", "a_cb_tail", "a_idle_prev",
          "a_idle_next", "tm_idle_head", "tm_idle_tail", "q_head", "q_tail",
          "c_fcr", "n_fcr")  # -1 means "none" (kernels.fcr.EMPTY: no pending contact)


#: The plain vectors of ``allocate`` (name, group, dtype, sized by: 0 capacity, 1 teams, 2 queues) and
#: every other field (name, group, through ``_empty``): decided once per process, by ``_plan``.
_PLAN: tuple[list[tuple[str, str | None, type, int]], list[tuple[str, str | None]]] | None = None
_PLANNING = threading.Lock()


def _plan() -> tuple[list[tuple[str, str | None, type, int]], list[tuple[str, str | None]]]:
    """Which fields are plain zero vectors. Runs on threads call ``allocate`` at once: the plan is built
    in locals and published in one assignment, under a lock, so no thread ever sees half of it."""
    global _PLAN
    with _PLANNING:
        if _PLAN is None:
            vectors, others = [], []
            for name in World._fields:
                if name in ("ic", "fc", "lv", "led", "totals", "tq", "tc"):
                    continue
                group = group_of(name)
                probe = _empty(name, 2, 3, 4, 5, 0)
                sized = {2: 0, 3: 1, 4: 2}.get(probe.shape[0]) if probe.ndim == 1 else None
                if sized is not None and not probe.any():
                    vectors.append((name, group, probe.dtype.type, sized))
                else:
                    others.append((name, group))
            _PLAN = (vectors, others)
        return _PLAN


def allocate(n_teams: int, n_queues: int, n_channels: int, n_days: int, caps: dict[str, int],
             n_segments: int = 1) -> World:
    vectors, others = _PLAN or _plan()
    fields = {}
    zeros = np.zeros
    for name, group, dtype, sized in vectors:  # (a quarter of a millisecond of every run, not one)
        fields[name] = zeros(caps.get(group, 0) if sized == 0 else n_teams if sized == 1 else n_queues, dtype)
    for name, group in others:
        fields[name] = _empty(name, caps.get(group, 0) if group else 0, n_teams, n_queues, n_days, 0)
    fields.update(ic=np.zeros(N_IC, dtype=np.int64), fc=np.zeros(N_FC), lv=np.zeros((N_LV, 3)), led=np.zeros(N_LED),
                  totals=np.zeros(N_TOTALS), tq=np.zeros((1 + n_channels, Q_WIDTH)), tc=np.zeros(COUNT_WIDTH))
    customers = caps.get("customers", 0)
    fields.update(c_in_segment=np.zeros((customers, n_segments), dtype=np.int64),
                  c_waits=np.zeros((customers, n_channels)), seg_count=np.zeros(n_segments, dtype=np.int64))
    w = World(**fields)
    w.free[:] = np.arange(len(w.free) - 1, -1, -1)  # slot 0 on top
    w.ic[I_FREE] = len(w.free)
    for name in _LINKS:
        getattr(w, name)[:] = -1
    w.tm_standard[:] = 1.0    # the team's standard: the share of the needed time it gives
    w.tm_multiplier[:] = 1.0  # and the pressure multiplier on it
    return w


# --- the compiled view ---------------------------------------------------------------------------
# Inside the loop the state is a numba StructRef: it passes by reference (a namedtuple of ~100
# arrays passed by value into every function made compile times explode). Its arrays are
# *borrowed* from the Python layout, which owns them for the whole call: without an owner (NRT
# meminfo) to count references on, reading ``w.field`` costs no atomic reference counting.
@structref.register
class WorldType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(t)) for name, t in fields)


@structref.register
class ParamsType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(t)) for name, t in fields)


_TYPES: dict[tuple, types.StructRef] = {}


def struct_type(kind: type, layout: tuple) -> types.StructRef:
    """The StructRef type with the fields (and field types) of a namedtuple instance (memoised:
    building it costs a millisecond, and the loop is entered again after every growth)."""
    fields = tuple(_field_key(v) for v in layout)
    key = (kind, fields)
    if key not in _TYPES:
        # One typeof per kind of field (a handful), not per field (~500: 0.03 s of a run's start-up).
        members = []
        for name, field in zip(layout._fields, fields):
            if field[0] != "array":
                members.append((name, borrowed_type(typeof(getattr(layout, name)))))
                continue
            if field not in _FIELD_TYPES:
                _FIELD_TYPES[field] = borrowed_type(typeof(getattr(layout, name)))
            members.append((name, _FIELD_TYPES[field]))
        _TYPES[key] = kind(members)
    return _TYPES[key]


_FIELD_TYPES: dict[tuple, types.Type] = {}


def _field_key(v) -> tuple:
    """What numba's type of a field depends on: an array's dtype, dimensions and flags, else its type."""
    if isinstance(v, np.ndarray):
        flags = v.flags
        return ("array", v.dtype, v.ndim, flags.c_contiguous, flags.f_contiguous, flags.writeable, flags.aligned)
    if isinstance(v, tuple):
        return ("tuple", *(_field_key(x) for x in v))
    return (type(v),)


class BorrowedArray(types.Array):
    """An array whose data its Python owner keeps alive for the whole compiled call (a field of the
    state): numba counts no references on it. Plain arrays count them on every hand-over — a call
    to ``NRT_incref``/``NRT_decref`` each time a function reads a field, even with no owner."""

    def __init__(self, dtype, ndim, layout, readonly=False, aligned=True):
        super().__init__(dtype, ndim, layout, readonly=readonly, aligned=aligned,
                         name=f"borrowed array({dtype}, {ndim}d, {layout})")


@register_model(BorrowedArray)
class _BorrowedArrayModel(models.ArrayModel):
    def traverse(self, builder):
        return []  # no meminfo to count: every incref and decref on it is nothing


def borrowed_type(t: types.Type) -> types.Type:
    """Arrays (also inside tuples: the kernels' packed parameters) as :class:`BorrowedArray`."""
    if isinstance(t, types.Array) and not isinstance(t, BorrowedArray):
        return BorrowedArray(t.dtype, t.ndim, t.layout, readonly=not t.mutable, aligned=t.aligned)
    if isinstance(t, types.BaseTuple) and not isinstance(t, types.BaseNamedTuple) and _has_array(t):
        return types.BaseTuple.from_types([borrowed_type(x) for x in t.types])
    return t


def _has_array(t: types.Type) -> bool:
    if isinstance(t, types.Array):
        return not isinstance(t, BorrowedArray)
    return isinstance(t, types.BaseTuple) and any(_has_array(x) for x in t.types)


def _borrow_value(builder, t: types.Type, value):
    """``value`` of type ``t`` with every array's owner (meminfo) and parent set to null."""
    if isinstance(t, types.Array):
        value = builder.insert_value(value, cgutils.get_null_value(value.type.elements[0]), 0)  # meminfo
        return builder.insert_value(value, cgutils.get_null_value(value.type.elements[1]), 1)  # parent
    for i, x in enumerate(t.types):
        if _has_array(x):
            value = builder.insert_value(value, _borrow_value(builder, x, builder.extract_value(value, i)), i)
    return value


@intrinsic
def _borrow(typingctx, array):
    """The same array (or tuple holding arrays) without its owner: the caller guarantees the data
    outlives the view. In a tuple of packed parameters, every read of the field from the state
    counted references on each of its arrays: an atomic ``lock inc``/``lock dec`` pair per array."""
    if not _has_array(array):
        return None

    def codegen(context, builder, signature, args):
        return _borrow_value(builder, array, args[0])

    return borrowed_type(array)(array), codegen


class StreamType(types.Type):
    """A random stream inside the loop: a numpy Generator's bit generator seen as its state and its
    ``next_double`` function, nothing else. ``stream.random()`` calls that function on that state —
    exactly what numba's ``Generator.random()`` does, so the same numbers — but the value holds no
    owner: a Generator's meminfo made numba call ``NRT_incref``/``NRT_decref`` on each of the 15
    streams whenever the tuple of streams was handed to a function (30 calls per handler, perf)."""

    def __init__(self) -> None:
        super().__init__(name="cxsim.Stream")


stream_type = StreamType()


@register_model(StreamType)
class _StreamModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("state", types.uintp), ("next_double", types.uintp)])


@intrinsic
def _next_double(typingctx, stream):
    if not isinstance(stream, StreamType):
        return None

    def codegen(context, builder, signature, args):
        s = cgutils.create_struct_proxy(stream)(context, builder, value=args[0])
        uintp = context.get_value_type(types.uintp)
        fn = builder.inttoptr(s.next_double, ir.FunctionType(ir.DoubleType(), (uintp,)).as_pointer())
        return builder.call(fn, (s.state,))

    return types.float64(stream), codegen


@overload_method(StreamType, "random")
def _stream_random(stream):
    def impl(stream):
        return _next_double(stream)
    return impl


class StreamsType(types.Type):
    """The loop's random streams: a pointer to their :class:`StreamType` values, which live in the
    frame of the compiled entry point (``borrow_streams``). ``streams[K]`` is stream ``K``. Handed
    from function to function as one pointer, not as a tuple of 15 (state, function) pairs copied
    onto the stack at every call."""

    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(name=f"cxsim.Streams({count})")


@register_model(StreamsType)
class _StreamsModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, dmm.lookup(stream_type).get_value_type().as_pointer())


@intrinsic
def _stream_at(typingctx, streams, i):
    if not (isinstance(streams, StreamsType) and isinstance(i, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        return builder.load(builder.gep(args[0], [index]))

    return stream_type(streams, i), codegen


@overload(operator.getitem)
def _streams_getitem(streams, i):
    if isinstance(streams, StreamsType) and isinstance(i, types.Integer):
        return lambda streams, i: _stream_at(streams, i)


@intrinsic
def borrow_streams(typingctx, streams):
    """The random streams (numpy Generators) as :class:`StreamsType`: each Generator's bit generator
    as a (state, ``next_double``) pair with no owner, like ``_borrow`` for arrays, kept in the
    caller's stack frame — call it in the entry point itself, whose caller keeps the Generators
    alive for the whole call."""
    if not (isinstance(streams, types.UniTuple) and isinstance(streams.dtype, types.NumPyRandomGeneratorType)):
        return None
    result = StreamsType(streams.count)

    def codegen(context, builder, signature, args):
        pairs = cgutils.alloca_once(builder, context.get_value_type(stream_type), size=streams.count)
        for i in range(streams.count):
            generator = cgutils.create_struct_proxy(streams.dtype)(context, builder,
                                                                  value=builder.extract_value(args[0], i))
            bit = cgutils.create_struct_proxy(types.NumPyRandomBitGeneratorType("bit_generator"))(
                context, builder, value=generator.bit_generator)
            stream = cgutils.create_struct_proxy(stream_type)(context, builder)
            stream.state = bit.state
            stream.next_double = bit.fnptr_next_double
            builder.store(stream._getvalue(), builder.gep(pairs, [context.get_constant(types.intp, i)]))
        return pairs

    return result(streams), codegen


def fill(layout, struct) -> None:  # pragma: no cover - replaced by the overload in compiled code
    raise NotImplementedError


@overload(fill)
def _fill(layout, struct):
    """Copy every field of a namedtuple into a StructRef, arrays borrowed (code generated from the names)."""
    lines = ["def impl(layout, struct):"]
    for name, t in zip(layout.fields, layout.types):
        value = f"_borrow(layout.{name})" if _has_array(t) else f"layout.{name}"
        lines.append(f"    struct.{name} = {value}")
    namespace: dict = {"_borrow": _borrow}
    exec("\n".join(lines) + "\n", namespace)
    return namespace["impl"]


# --- the borrowed view: a StructRef's fields through a bare pointer ---------------------------------
# A StructRef is reference counted: every function that receives one counts it up on entry and down
# on exit, an atomic ``lock dec`` each time. With a call or two per event across ~100 small functions
# that was the loop's biggest cost (a quarter of its time, perf). ``borrow`` hands the loop the
# payload's address instead, a plain pointer nothing counts; the StructRef it comes from must outlive
# the view (the entry points borrow their arguments, which their caller owns for the whole call).
class Borrowed(types.Type):
    """The fields of a StructRef seen through a pointer to its payload (read-only attributes)."""

    def __init__(self, ref: types.StructRef) -> None:
        self.ref = ref
        super().__init__(name=f"Borrowed({ref.name})")

    @property
    def field_dict(self) -> dict:
        return self.ref.field_dict

    def get_data_type(self) -> types.Type:
        return self.ref.get_data_type()


@register_model(Borrowed)
class _BorrowedModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, dmm.lookup(fe_type.get_data_type()).get_value_type().as_pointer())


@infer_getattr
class _BorrowedAttribute(AttributeTemplate):
    key = Borrowed

    def generic_resolve(self, typ, attr):
        if attr in typ.field_dict:
            return typ.field_dict[attr]


@lower_getattr_generic(Borrowed)
def _borrowed_getattr(context, builder, typ, val, attr):
    data = cgutils.create_struct_proxy(typ.get_data_type())(context, builder, ref=val)
    return imputils.impl_ret_borrowed(context, builder, typ.field_dict[attr], getattr(data, attr))


@intrinsic
def borrow(typingctx, ref):
    """The StructRef ``ref`` as a :class:`Borrowed` view (no reference counting); ``ref`` must outlive it."""
    if not isinstance(ref, types.StructRef):
        return None

    def codegen(context, builder, signature, args):
        return structref._Utils(context, builder, ref).get_data_pointer(args[0])

    return Borrowed(ref)(ref), codegen


# --- growing, in Python, between two compiled calls --------------------------------------------------
GROW_NEEDS, GROW_AGENTS, GROW_HEAP, GROW_ENCOUNTERS, GROW_JOURNEYS, GROW_CUSTOMERS = range(1, 7)
GROUP_OF_CODE = {GROW_NEEDS: "needs", GROW_AGENTS: "agents", GROW_HEAP: "heap", GROW_ENCOUNTERS: "encounters",
                 GROW_JOURNEYS: "journeys", GROW_CUSTOMERS: "customers"}


def capacity(w: World, group: str) -> int:
    return {"needs": len(w.n_id), "agents": len(w.a_team), "heap": len(w.h_time), "customers": len(w.c_active),
            "encounters": len(w.enc), "journeys": len(w.jour)}[group]


def grow(w: World, group: str) -> World:
    """Double one group of arrays; new slots start as ``allocate`` starts them (the record tables'
    new rows as zeros, where ``allocate`` leaves them unwritten: either way every kept row is written whole)."""
    old = capacity(w, group)
    new = max(16, 2 * old)
    changes = {}
    for name in World._fields:
        if group_of(name) != group or name == "free":
            continue
        a = getattr(w, name)
        b = np.full((new,) + a.shape[1:], -1 if name in _LINKS else 0, dtype=a.dtype)
        b[:old] = a
        changes[name] = b
    if group == "needs":
        # New slots go *under* the free ones already on the stack: reuse order is unchanged.
        top = int(w.ic[I_FREE])
        changes["free"] = np.concatenate([np.arange(new - 1, old - 1, -1), w.free[:top],
                                          np.zeros(old - top, dtype=np.int64)])
        w.ic[I_FREE] = top + new - old
    return w._replace(**changes)
