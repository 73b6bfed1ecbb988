"""The "unit (with its sub-units)" filter of every list page, and the select it renders.

The filter accepts any unit of the user's scope, but the select offers all of them only while the
scope is small (the reference company has 17 units). At State Grid size a scope holds 2,000 units,
and a select of all of them cost every list page ~50 ms and ~140 KB of HTML (bench/README.md,
figure 3), and is useless on a phone. Past that size it offers the chosen unit's neighbourhood:
the children of the chosen unit and of each of its ancestors, i.e. the tree opened down to the
chosen unit, plus the chosen unit's own children to go one level further. Two queries whatever the
scope's size: its count, and the units offered.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from branchtrack.models import Unit

# Scopes up to this many units are offered whole.
OFFER_ALL_UP_TO = 200
# Indents a unit under its parent in the select (a full-width space reads as one step in Chinese).
INDENT = "\u3000"


def offered_units(scope: QuerySet[Unit], chosen: str | None) -> list[Unit]:
    """The units a select offers for `scope`, `chosen` being the submitted unit id (or None)."""
    units = scope.only("pk", "name", "path", "depth").order_by("path")
    if scope.count() <= OFFER_ALL_UP_TO:
        return list(units)
    anchor = Unit.objects.filter(
        pk=int(chosen) if chosen and chosen.isdigit() else Subquery(scope.order_by("path").values("pk")[:1])
    )
    # A unit is offered when its parent is the anchor or one of the anchor's ancestors, i.e. when the
    # anchor's path starts with the unit's parent path (the unit's path minus its last step).
    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)
    under_anchor_line = anchor.filter(StartsWith(F("path"), parent_path))
    # ...and the anchor's own children, one level further down.
    anchor_children = anchor.filter(StartsWith(OuterRef("path"), F("path")), depth=OuterRef("depth") - 1)
    return list(units.filter(Exists(under_anchor_line) | Exists(anchor_children)))


class UnitTreeSelect(forms.Select):
    """A select of the units `offered_units` picks for the submitted value, indented by depth."""

    scope: QuerySet[Unit] | None = None

    def optgroups(self, name, value, attrs=None):
        chosen = next((str(v) for v in value if v not in (None, "")), None)
        units = offered_units(self.scope, chosen) if self.scope is not None else []
        top = min((unit.depth for unit in units), default=1)
        self.choices = [("", "---------")] + [
            (str(unit.pk), INDENT * (unit.depth - top) + unit.name) for unit in units
        ]
        return super().optgroups(name, value, attrs)


class UnitTreeChoiceField(forms.ModelChoiceField):
    widget = UnitTreeSelect

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.scope = self.queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


class UnitSubtreeFilter(django_filters.ModelChoiceFilter):
    """A unit of the user's scope (set `queryset` to it per request); filter with `method`."""

    field_class = UnitTreeChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Unit (with its sub-units)"))
        kwargs.setdefault("queryset", Unit.objects.none())
        super().__init__(*args, **kwargs)
