"""The model's rules, each written once as a small numba kernel that every engine calls.

Engines own *when* things happen (events, queues, processes); kernels own *what* a rule says
(how long a piece of work takes, whether a contact solves the need, when the next need arrives).
Keeping the rules here, compiled, means the SimPy reference engine and the fast engine cannot
drift apart on a rule, and a rule is tested once.
"""

from .arrivals import advance, customer_delay, intensity, next_arrival, next_arrival_shaped
from .resolution import QUALITY_GAP, QUALITY_LEVEL, delivered_quality, resolution_probability
from .sampling import sample_duration

__all__ = [
    "QUALITY_GAP", "QUALITY_LEVEL",
    "advance", "customer_delay", "delivered_quality", "intensity", "next_arrival", "next_arrival_shaped", "resolution_probability", "sample_duration",
]
