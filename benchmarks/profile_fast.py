"""Time the fast engine's compiled loop against the hand-written numba yardstick, in one process.

    PYTHONPATH=$PWD python benchmarks/profile_fast.py [--rounds 20] [--summary] [--loop N]

Prints the minimum (and median) time of ``driver.run`` on ``scenarios/erlang_a_repeats.yaml`` (its
8 h, warmup 0, seed 2026), events per run, time per event, and the same for the numba yardstick
(benchmarks/numba_yardstick.py), with the ratio of their contacts per second. Minimums, because
this host is shared: the minimum is the run least disturbed by other work.

``--loop N`` runs N replications back to back and nothing else (for ``perf record -p`` or
``perf stat`` around a steady loop).

Where the compiled time goes (how the numbers in the commit messages of this script's era were
found): numba writes no perf map, but gdb sees the JIT-compiled functions by name. Run
``--loop 3000`` in the background, ``perf record -F 4000 -p PID -- sleep 8``, take the hottest
sample addresses (``perf script -F ip``) and ask ``gdb -p PID -batch -ex 'info symbol ADDR'``
for each (callees that LLVM did not inline keep their own symbols: heap.pop, journey.on_handled,
...); ``gdb -ex 'disassemble ADDR'`` gives the instructions to count samples on. A breakpoint on
``NRT_incref if $rdi != 0`` with ``info line *(*(void**)$sp)`` finds who counts references
(line numbers need ``NUMBA_DEBUGINFO=1`` in a scratch ``NUMBA_CACHE_DIR``; that build also turns
bounds checks on, so time it apart).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import cxsim  # noqa: E402
from cxsim.compiled import compile_scenario  # noqa: E402
from cxsim.engines.fast import driver  # noqa: E402
from cxsim.engines.fast.state import I_EVENTS  # noqa: E402
from cxsim.tallies import C_ENCOUNTERS  # noqa: E402
from numba_yardstick import run_numba_yardstick  # noqa: E402

SEED, HORIZON = 2026, 480.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--summary", action="store_true", help="keep no records (keep_records=False)")
    parser.add_argument("--loop", type=int, default=0)
    args = parser.parse_args()
    params = compile_scenario(cxsim.load_scenario(ROOT / "scenarios" / "erlang_a_repeats.yaml").model_copy(
        update={"horizon": HORIZON, "warmup": 0.0}))
    keep = not args.summary
    out = driver.run(params, SEED, 0, keep)  # untimed: loads the compiled code
    if args.loop:
        for _ in range(args.loop):
            driver.run(params, SEED, 0, keep)
        return
    events = int(out[6][I_EVENTS])
    contacts = len(out[0]) if keep else int(out[5][C_ENCOUNTERS])
    run_numba_yardstick(HORIZON, SEED)
    fast_t, yard_t = [], []
    for _ in range(args.rounds):
        t = time.perf_counter()
        driver.run(params, SEED, 0, keep)
        fast_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        yard_contacts = run_numba_yardstick(HORIZON, SEED)
        yard_t.append(time.perf_counter() - t)
    f, y = min(fast_t), min(yard_t)
    print(f"fast:      min {f * 1e3:7.2f} ms  median {statistics.median(fast_t) * 1e3:7.2f} ms  "
          f"{events:,} events ({f / events * 1e9:.0f} ns each)  {contacts:,} contacts  {contacts / f:,.0f}/s")
    print(f"yardstick: min {y * 1e3:7.2f} ms  median {statistics.median(yard_t) * 1e3:7.2f} ms  "
          f"{yard_contacts:,} contacts  {yard_contacts / y:,.0f}/s")
    print(f"fast / yardstick (contacts/s, minimums): {(contacts / f) / (yard_contacts / y):.3f}")


if __name__ == "__main__":
    main()
