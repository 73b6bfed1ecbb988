"""A branch's assessment score: the sum of weight x fraction over seven measures, between 0 and 100.

Every measure is reduced to a fraction between 0 and 1 so the weights alone say how much it counts;
the sheet prints the weights and these rules in its header so anyone can redo the sum by hand.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import pgettext_lazy

from assessment.models import AssessmentWeights
from branchtrack.web.rounding import ASSESSMENT_SCORE_PLACES, half_up

ZERO, ONE = Decimal(0), Decimal(1)


@dataclass(frozen=True)
class Weights:
    visit_coverage: Decimal = Decimal("20")
    checklist_score: Decimal = Decimal("20")
    problems_resolved: Decimal = Decimal("15")
    project_rating: Decimal = Decimal("15")
    tracking_list: Decimal = Decimal("10")
    outstanding: Decimal = Decimal("10")
    pairing_activity: Decimal = Decimal("10")
    activities_for_full_marks: int = 4

    @classmethod
    def from_model(cls, weights: AssessmentWeights) -> Weights:
        return cls(
            **{name: getattr(weights, name) for name in AssessmentWeights.WEIGHT_FIELDS},
            activities_for_full_marks=weights.activities_for_full_marks,
        )

    @classmethod
    def from_json(cls, data: dict) -> Weights:
        values = {name: Decimal(str(data[name])) for name in AssessmentWeights.WEIGHT_FIELDS if name in data}
        if "activities_for_full_marks" in data:
            values["activities_for_full_marks"] = int(data["activities_for_full_marks"])
        return cls(**values)

    def to_json(self) -> dict:
        return {name: str(value) for name, value in asdict(self).items()}


# (weight field, label, how the measure becomes a fraction): the sheet's header prints these lines.
MEASURES = (
    (
        "visit_coverage",
        pgettext_lazy("assessment sheet", "Visit coverage"),
        pgettext_lazy("assessment sheet", "1 if the branch had a completed visit in the year, else 0"),
    ),
    (
        "checklist_score",
        pgettext_lazy("assessment sheet", "Checklist score"),
        pgettext_lazy("assessment sheet", "checklist total / highest possible total"),
    ),
    (
        "problems_resolved",
        pgettext_lazy("assessment sheet", "Problems resolved"),
        pgettext_lazy(
            "assessment sheet",
            "problems resolved / problems found; 1 for a visited branch with no problem, 0 if not visited",
        ),
    ),
    (
        "project_rating",
        pgettext_lazy("assessment sheet", "Project rating"),
        pgettext_lazy("assessment sheet", "aggregate rating / highest possible rating"),
    ),
    (
        "tracking_list",
        pgettext_lazy("assessment sheet", "Tracking list"),
        pgettext_lazy("assessment sheet", "1 if the project is on the tracking list, else 0"),
    ),
    (
        "outstanding",
        pgettext_lazy("assessment sheet", "Outstanding project"),
        pgettext_lazy("assessment sheet", "1 if the project is outstanding, else 0"),
    ),
    (
        "pairing_activity",
        pgettext_lazy("assessment sheet", "Pairing activities"),
        pgettext_lazy(
            "assessment sheet", "joint activities in the year / activities for full marks, at most 1"
        ),
    ),
)


def fractions(row, weights: Weights) -> dict[str, Decimal]:
    """Each measure of one row (an AssessmentRow) as a fraction between 0 and 1."""
    if row.problems_found:
        resolved = Decimal(row.problems_resolved) / Decimal(row.problems_found)
    else:
        resolved = ONE if row.visited else ZERO
    return {
        "visit_coverage": ONE if row.visited else ZERO,
        "checklist_score": _clamp(row.checklist_percent),
        "problems_resolved": resolved,
        "project_rating": _clamp(row.rating_percent),
        "tracking_list": ONE if row.on_tracking_list else ZERO,
        "outstanding": ONE if row.outstanding else ZERO,
        "pairing_activity": min(
            ONE, Decimal(row.activities or 0) / Decimal(max(1, weights.activities_for_full_marks))
        ),
    }


def score(row, weights: Weights) -> float:
    """The assessment score, rounded half up to one decimal as every page and the sheet show it.

    Summed in decimals: in floats 12.25 can come out as 12.2499... and round down.
    """
    parts = fractions(row, weights)
    total = sum((Decimal(getattr(weights, name)) * value for name, value in parts.items()), ZERO)
    return float(half_up(total, ASSESSMENT_SCORE_PLACES))


def _clamp(value) -> Decimal:
    if value is None:
        return ZERO
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return max(ZERO, min(ONE, number))
