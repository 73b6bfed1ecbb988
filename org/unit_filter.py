"""The "unit (with its sub-units)" filter of every list page, and the select it renders.

The filter accepts any unit of the user's scope, but the select offers all of them only while the
scope is small (the reference company has 17 units). At State Grid size a scope holds 2,000 units,
and a select of all of them cost every list page ~50 ms and ~140 KB of HTML (bench/README.md,
figure 3), and is useless on a phone. Past that size it offers the chosen unit's neighbourhood:
the children of the chosen unit and of each of its ancestors, i.e. the tree opened down to the
chosen unit, plus the chosen unit's own children to go one level further. Two queries whatever the
scope's size: its size and the paths it needs, then the units offered.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from org.models import Unit

# Scopes up to this many units are offered whole.
OFFER_ALL_UP_TO = 200
# Indents a unit under its parent in the select (a full-width space reads as one step in Chinese).
INDENT = "\u3000"


def offered_units(scope: QuerySet[Unit], chosen: str | None) -> list[Unit]:
    """The units a select offers for `scope`, `chosen` being the submitted unit id (or None)."""
    chosen_pk = int(chosen) if chosen and chosen.isascii() and chosen.isdigit() else None
    # One query for the scope's size, its top unit's path and the chosen unit's path.
    found = scope.aggregate(size=Count("pk"), top=Min("path"), chosen=Min("path", filter=Q(pk=chosen_pk)))
    units = scope.only("pk", "name", "path", "depth").order_by("path")
    if found["size"] <= OFFER_ALL_UP_TO:
        return list(units)
    anchor = found["chosen"] or found["top"]
    # Offered: the children of the anchor and of each of its ancestors (the empty path standing for
    # the roots' missing parent).
    around = Q()
    for depth, parent_path in enumerate(["", *Unit.lineage_paths(anchor)], start=1):
        around |= Q(path__startswith=parent_path, depth=depth)
    return list(units.filter(around))


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
