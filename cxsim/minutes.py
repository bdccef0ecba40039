"""Time constants: cxsim's clock runs in minutes, and every other unit is defined here once.

A month is 30 days and a year 365 days: calendar-free units for rates such as churn per month
or attrition per year (the scenario loader accepts the same units, see ``scenario.units``).
"""

from __future__ import annotations

MINUTE = 1.0
HOUR = 60.0 * MINUTE
DAY = 24.0 * HOUR
WEEK = 7.0 * DAY
MONTH = 30.0 * DAY
YEAR = 365.0 * DAY

#: Hours in a week: the demand profile has one rate per hour of the week, Monday 00:00 first.
HOURS_PER_WEEK = 168
DAYS_PER_YEAR = YEAR / DAY
