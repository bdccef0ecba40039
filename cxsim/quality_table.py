"""The default delivered-quality table (Oliva & Sterman 2001; MODEL.md §5), defined once.

Time gap (given − needed) / needed, and the quality delivered at that gap. A scenario may give its
own table (``resolution:``); the scenario model and the kernels both start from these numbers.
"""

from __future__ import annotations

QUALITY_GAP = (-1.0, -0.5, -0.4, -0.3, -0.2, -0.1, 0.0)
QUALITY_LEVEL = (0.0, 0.20, 0.45, 0.65, 0.80, 0.95, 1.0)
