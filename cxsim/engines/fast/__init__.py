"""The fast engine: the SimPy engine's model as one numba-compiled event loop over arrays.

Same scenario, same compiled parameters, same kernels, same random streams consumed in the same
order — so for the same seed it reproduces the SimPy engine's trajectory, only much faster. It
exists for sweeps; the SimPy engine stays the one to read and extend.
"""

from .cache import is_compiled, refresh

refresh()  # before the compiled modules load their cache

from .driver import simulate, simulate_summary, warm  # noqa: E402

__all__ = ["is_compiled", "simulate", "simulate_summary", "warm"]
