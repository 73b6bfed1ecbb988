"""One FilterSet per list page; unit choices are limited to the user's scope (others answer 400)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branchtrack.web.date_filter import DateFilter
from org.models import Branch, Unit, User
from org.unit_filter import UnitSubtreeFilter
from supervision import forecast
from supervision.models import (
    Campaign,
    CoverageSnapshot,
    Feedback,
    Finding,
    MeetingAttendance,
    PlannedVisit,
    Visit,
)

YES_NO = [("1", _("Yes")), ("0", _("No"))]


class _ScopedUnitFilterSet(django_filters.FilterSet):
    unit_field = "unit"
    unit = UnitSubtreeFilter(method="in_unit_subtree")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.visible_to(user)

    def in_unit_subtree(self, queryset, name, unit):
        return queryset.filter(**{f"{self.unit_field}__path__startswith": unit.path})


class VisitFilterSet(_ScopedUnitFilterSet):
    unit_field = "branch__unit"
    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"), queryset=Campaign.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Visit.Status.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")
    visited_after = DateFilter(label=_("From"), field_name="visited_on", lookup_expr="gte")
    visited_before = DateFilter(label=_("To"), field_name="visited_on", lookup_expr="lte")

    class Meta:
        model = Visit
        fields = ["campaign", "unit", "status", "q", "visited_after", "visited_before"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(branch__name__icontains=value) | Q(branch__code__icontains=value) | Q(visitors__icontains=value)
        )


class ProblemFilterSet(_ScopedUnitFilterSet):
    """Problems by owner unit (with sub-units), status, overdue and campaign."""

    unit_field = "owner_unit"
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Finding.Status.choices)
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES_NO, method="filter_overdue")
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), field_name="visit__campaign", queryset=Campaign.objects.all()
    )
    escalated = django_filters.ChoiceFilter(
        label=_("Escalated to the owner unit"), choices=YES_NO, method="filter_escalated"
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Finding
        fields = ["unit", "status", "overdue", "campaign", "escalated", "q"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(is_overdue=value == "1")

    def filter_escalated(self, queryset, name, value):
        return queryset.filter(escalated_at__isnull=value != "1")

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(visit__branch__name__icontains=value)
        )


class GoodPracticeFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), field_name="visit__campaign", queryset=Campaign.objects.all()
    )
    unit = UnitSubtreeFilter(queryset=Unit.objects.all(), method="in_unit_subtree")

    class Meta:
        model = Finding
        fields = ["q", "campaign", "unit"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(visit__branch__name__icontains=value)
        )

    def in_unit_subtree(self, queryset, name, unit):
        return queryset.filter(visit__branch__unit__path__startswith=unit.path)


class MeetingFilterSet(_ScopedUnitFilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"), queryset=Campaign.objects.all())
    held_after = DateFilter(label=_("From"), field_name="held_on", lookup_expr="gte")

    class Meta:
        model = MeetingAttendance
        fields = ["unit", "campaign", "held_after"]


class FeedbackFilterSet(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"), queryset=Campaign.objects.all())
    sent = django_filters.ChoiceFilter(label=_("Sent"), choices=YES_NO, method="filter_sent")

    class Meta:
        model = Feedback
        fields = ["campaign", "sent"]

    def filter_sent(self, queryset, name, value):
        return queryset.filter(sent_at__isnull=value != "1")


SORTS = {
    "unit": "unit__path",
    "coverage": "coverage_value",
    "-coverage": "-coverage_value",
    "open": "open_problems",
    "-open": "-open_problems",
    "score": "mean_total",
    "-score": "-mean_total",
}


class UnitCoverageFilterSet(_ScopedUnitFilterSet):
    """The dashboard's unit table: filter by unit subtree and kind, and sort by a column."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), field_name="unit__kind", choices=Unit.Kind.choices)
    below = django_filters.NumberFilter(label=_("Coverage below %"), method="coverage_below", min_value=0)
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="sort_by",
        empty_label=_("Unit tree"),
        choices=[
            ("coverage", _("Coverage, lowest first")),
            ("-coverage", _("Coverage, highest first")),
            ("-open", _("Open problems, most first")),
            ("-score", _("Mean score, highest first")),
            ("score", _("Mean score, lowest first")),
        ],
    )

    class Meta:
        model = CoverageSnapshot
        fields = ["unit", "kind", "below", "sort"]

    def coverage_below(self, queryset, name, value):
        return queryset.filter(coverage_value__lt=value / 100)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(SORTS[value], "unit__path")


class UnvisitedBranchFilterSet(_ScopedUnitFilterSet):
    """Branches not visited yet: by unit subtree, or found by name, code or secretary."""

    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Branch
        fields = ["unit", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(secretary__icontains=value)
        )


# --- visit plans --------------------------------------------------------------------------------


def _person_label(user: User) -> str:
    return f"{user.get_full_name() or user.username}（{user.unit.name if user.unit else '-'}）"


class PlanFilterSet(_ScopedUnitFilterSet):
    """A campaign's planned visits: by unit subtree, status, visitor, dates, or found by branch."""

    unit_field = "branch__unit"
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PlannedVisit.Status.choices)
    visitor = django_filters.ModelChoiceFilter(label=_("Visitor"), queryset=None, method="by_visitor")
    planned_after = DateFilter(label=_("From"), field_name="due_on", lookup_expr="gte")
    planned_before = DateFilter(label=_("To"), field_name="planned_on", lookup_expr="lte")
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = PlannedVisit
        fields = ["unit", "status", "visitor", "planned_after", "planned_before", "q"]

    def __init__(self, *args, user=None, visitors=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["visitor"].queryset = visitors
        self.form.fields["visitor"].label_from_instance = _person_label

    def by_visitor(self, queryset, name, visitor):
        return queryset.for_visitor(visitor)

    def search(self, queryset, name, value):
        return queryset.filter(Q(branch__name__icontains=value) | Q(branch__code__icontains=value))


class CalendarFilterSet(_ScopedUnitFilterSet):
    """The calendar: a unit's subtree or one person's plans."""

    unit_field = "branch__unit"
    visitor = django_filters.ModelChoiceFilter(label=_("Person"), queryset=None, method="by_visitor")

    class Meta:
        model = PlannedVisit
        fields = ["unit", "visitor"]

    def __init__(self, *args, user=None, visitors=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["visitor"].queryset = visitors
        self.form.fields["visitor"].label_from_instance = _person_label

    def by_visitor(self, queryset, name, visitor):
        return queryset.for_visitor(visitor)


class UnitProgressFilterSet(_ScopedUnitFilterSet):
    """Expected vs done per unit: a unit's subtree, units of a kind."""

    unit_field = ""
    kind = django_filters.ChoiceFilter(label=_("Kind"), field_name="kind", choices=Unit.Kind.choices)

    class Meta:
        model = Unit
        fields = ["unit", "kind"]

    def in_unit_subtree(self, queryset, name, unit):
        return queryset.filter(path__startswith=unit.path)


class VisitorProgressFilterSet(_ScopedUnitFilterSet):
    """Expected vs done per visitor: the visitors of a unit's subtree, or found by name."""

    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = User
        fields = ["unit", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value) | Q(first_name__icontains=value) | Q(last_name__icontains=value)
        )


FORECAST_SORTS = {
    "risk": lambda row: (-row.forecast.shortfall, row.unit.path),
    "plan": lambda row: (row.forecast.by_plan_percent is None, row.forecast.by_plan_percent, row.unit.path),
    "rate": lambda row: (row.forecast.by_rate_percent is None, row.forecast.by_rate_percent, row.unit.path),
    "unplanned": lambda row: (-row.forecast.unplanned, row.unit.path),
}


class UnitForecastFilterSet(UnitProgressFilterSet):
    """The forecast per unit: computed for the filtered units, then kept to those at risk and sorted.

    `qs` is a list of supervision.forecast.UnitForecast rows (the page pages and exports it as is).
    """

    at_risk = django_filters.ChoiceFilter(label=_("At risk"), choices=YES_NO, method="keep_all")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="keep_all",
        empty_label=_("Unit tree"),
        choices=[
            ("risk", _("Shortfall at the current rate, largest first")),
            ("rate", _("Projected at the current rate, lowest first")),
            ("plan", _("Projected by the plan, lowest first")),
            ("unplanned", _("Branches neither visited nor planned, most first")),
        ],
    )

    class Meta:
        model = Unit
        fields = ["unit", "kind", "at_risk", "sort"]

    def __init__(self, *args, campaign=None, as_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign, self.as_of = campaign, as_of

    def keep_all(self, queryset, name, value):
        return queryset  # applied to the computed rows in `qs`

    @property
    def qs(self):
        if not hasattr(self, "_rows"):
            units = super().qs
            rows = forecast.unit_forecasts(campaign=self.campaign, units=units, as_of=self.as_of)
            data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
            if data.get("at_risk"):
                rows = [row for row in rows if row.forecast.at_risk == (data["at_risk"] == "1")]
            if data.get("sort"):
                rows.sort(key=FORECAST_SORTS[data["sort"]])
            self._rows = rows
        return self._rows
