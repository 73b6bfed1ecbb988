"""Demo data of the assessment: the 2020 weights (the export itself is made by users)."""

from __future__ import annotations

from assessment.models import AssessmentWeights
from assessment.scoring import Weights

DEMO_YEAR = 2020


def load(*, stdout=None) -> None:
    defaults = Weights()
    _weights, created = AssessmentWeights.objects.get_or_create(
        year=DEMO_YEAR,
        defaults={
            **{name: getattr(defaults, name) for name in AssessmentWeights.WEIGHT_FIELDS},
            "activities_for_full_marks": defaults.activities_for_full_marks,
        },
    )
    if created and stdout is not None:
        stdout.write(f"Assessment weights for {DEMO_YEAR}.")
