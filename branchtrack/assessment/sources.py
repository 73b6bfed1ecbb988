"""Where each column of the sheet comes from: annotations on the Branch queryset, one set per app.

Every figure is a correlated subquery (or a plain join) on the branch row, so the whole year is one
SELECT however many branches there are; the other apps' selectors own the meaning of the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Expression, Value


@dataclass(frozen=True)
class YearColumns:
    """Annotations for one year, plus the checklist area names the area columns stand for."""

    annotations: dict[str, Expression] = field(default_factory=dict)
    area_names: tuple[str, ...] = ()


def _none(output_field: models.Field) -> Value:
    return Value(None, output_field=output_field)


SUPERVISION_PLACEHOLDERS = {
    "visited": _none(models.BooleanField()),
    "visit_count": _none(models.IntegerField()),
    "first_visit": _none(models.DateField()),
    "last_visit": _none(models.DateField()),
    "checklist_total": _none(models.DecimalField()),
    "checklist_max": _none(models.DecimalField()),
    "problems_found": _none(models.IntegerField()),
    "problems_resolved": _none(models.IntegerField()),
    "problems_overdue": _none(models.IntegerField()),
}

PROJECT_PLACEHOLDERS = {
    "project_title": _none(models.CharField()),
    "indicator": _none(models.CharField()),
    "indicator_baseline": _none(models.DecimalField()),
    "indicator_target": _none(models.DecimalField()),
    "indicator_actual": _none(models.DecimalField()),
    "rating": _none(models.FloatField()),
    "rating_max": _none(models.FloatField()),
    "rank": _none(models.IntegerField()),
    "on_tracking_list": _none(models.BooleanField()),
    "outstanding": _none(models.BooleanField()),
}

PAIRING_PLACEHOLDERS = {
    "pairings": _none(models.IntegerField()),
    "activities": _none(models.IntegerField()),
}


def supervision_columns(*, year: int) -> YearColumns:
    return YearColumns(annotations=dict(SUPERVISION_PLACEHOLDERS))


def project_columns(*, year: int) -> YearColumns:
    return YearColumns(annotations=dict(PROJECT_PLACEHOLDERS))


def pairing_columns(*, year: int) -> YearColumns:
    return YearColumns(annotations=dict(PAIRING_PLACEHOLDERS))


def year_columns(*, year: int) -> YearColumns:
    parts = [supervision_columns(year=year), project_columns(year=year), pairing_columns(year=year)]
    annotations: dict[str, Expression] = {}
    area_names: tuple[str, ...] = ()
    for part in parts:
        annotations.update(part.annotations)
        area_names += part.area_names
    return YearColumns(annotations=annotations, area_names=area_names)
