"""How every figure users compare is rounded: half up, with one number of decimals per figure.

Pages, the roll-up snapshots and the year-end export all round through these functions, so a
figure reads the same wherever it is shown (213 / 305 is 69.8% on the dashboard and in the
workbook). Python's `round()` and `Decimal.quantize()` round half to even (6.25 -> 6.2), and a
spreadsheet's display format rounds the binary float it is given (12.35 -> 12.3): neither is used
for a figure; the value is rounded here and then written.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Decimals of each figure, everywhere it is shown.
COVERAGE_PERCENT_PLACES = 1  # 69.8%
CHECKLIST_SCORE_PLACES = 1  # a checklist area or total, and their means
CHECKLIST_RATE_PLACES = 1  # checklist total / highest possible total, as a percent
RATING_PLACES = 2  # a project's aggregate rating (and mean, median)
ASSESSMENT_SCORE_PLACES = 1  # the year-end assessment score and its mean


def half_up(value, places: int) -> Decimal | None:
    """`value` rounded half up (away from zero) to `places` decimals; None stays None.

    A float is read through its shortest repr (12.35, not 12.3499999...), as a person reads it.
    """
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part, whole, *, places: int = COVERAGE_PERCENT_PLACES) -> Decimal | None:
    """part / whole as a percent rounded half up (213 / 305 -> 69.8); None when whole is 0."""
    if not whole:
        return None
    return half_up(Decimal(part) * 100 / Decimal(whole), places)


def fraction_percent(value, *, places: int = COVERAGE_PERCENT_PLACES) -> Decimal | None:
    """A fraction (0.69836) as a percent rounded half up (69.8)."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return half_up(number * 100, places)
