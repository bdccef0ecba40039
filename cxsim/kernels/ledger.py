"""The daily table's rule: one row cut from the running totals at two times (MODEL.md §10).

Both engines keep the running totals of ``layouts.TOTALS``; at every midnight (and at the end of
the warm-up) the row of ``records.Day`` is the difference of the totals over the period plus the
state at its end. Written once here; an engine only supplies the numbers it stores.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..layouts import (
    D_ABSENT, D_CUSTOMERS, D_DAY, D_END, D_OPEN_NEEDS, D_PRESSURE, D_STANDARD, D_START, D_STRAIN, D_ENGAGEMENT, D_TIME_PER_CASE,
    D_WELLBEING, DAY_FROM_TOTALS, T_CASES, T_PRESSURE_AREA, T_TIME_GIVEN,
)
from ..minutes import DAY


@njit(cache=True)
def cut_day(row: np.ndarray, start: float, now: float, before: np.ndarray, after: np.ndarray, open_needs: int,
            wellbeing: float, standard: float, customers: int, absent: int) -> None:
    """Write the day's row (``records.Day`` columns) for the period from ``start`` to ``now``."""
    row[D_DAY], row[D_START], row[D_END] = start // DAY, start, now
    for column, total in DAY_FROM_TOTALS:
        row[column] = after[total] - before[total]
    row[D_OPEN_NEEDS] = open_needs
    row[D_WELLBEING] = wellbeing
    row[D_STANDARD] = standard
    given, cases = after[T_TIME_GIVEN] - before[T_TIME_GIVEN], after[T_CASES] - before[T_CASES]
    pressure = after[T_PRESSURE_AREA] - before[T_PRESSURE_AREA]
    row[D_PRESSURE] = pressure / (now - start) if now > start else math.nan
    row[D_TIME_PER_CASE] = given / cases if cases else math.nan
    row[D_CUSTOMERS] = customers
    row[D_ABSENT] = absent


@njit(cache=True)
def cut_staff_day(row: np.ndarray, start: float, now: float, before: np.ndarray, after: np.ndarray, open_needs: int,
                  standard: float, customers: int, wellbeing: np.ndarray, strain: np.ndarray,
                  engagement: np.ndarray, absent: np.ndarray, gone: np.ndarray) -> None:
    """:func:`cut_day` with the staff's state at ``now`` taken from the agents still employed (not
    ``gone``): mean wellbeing, chronic strain and engagement (added left to right, NaN with nobody employed)
    and the number off sick. Both engines pass one entry per agent, in id order."""
    total_w, total_s, total_e, employed, off_sick = 0.0, 0.0, 0.0, 0, 0
    for a in range(len(gone)):
        if not gone[a]:
            total_w += wellbeing[a]
            total_s += strain[a]
            total_e += engagement[a]
            employed += 1
            off_sick += absent[a]
    cut_day(row, start, now, before, after, open_needs, total_w / employed if employed else math.nan, standard,
            customers, off_sick)
    row[D_STRAIN] = total_s / employed if employed else math.nan
    row[D_ENGAGEMENT] = total_e / employed if employed else math.nan
