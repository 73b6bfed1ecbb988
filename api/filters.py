"""The API's FilterSets: the pages' own, minus their sort parameters (a cursor fixes the order), plus
small ones for lists that have no filtered page (units, campaigns, rounds, published lists)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branchtrack.web.date_filter import DateFilter
from org.models import Unit
from org.unit_filter import UnitSubtreeFilter
from projects.filters import ProjectFilterSet, RatingFilterSet
from projects.models import BranchProject, OutstandingList, Rating, RatingRound, TrackingEntry, TrackingList
from supervision.filters import ProblemFilterSet, UnitCoverageFilterSet
from supervision.models import Campaign, CoverageSnapshot, Finding


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Unit.Kind.choices)
    within = UnitSubtreeFilter(method="in_unit_subtree")

    class Meta:
        model = Unit
        fields = ["q", "kind", "within"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["within"].queryset = Unit.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def in_unit_subtree(self, queryset, name, unit):
        return queryset.filter(path__startswith=unit.path)


class CampaignFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))

    class Meta:
        model = Campaign
        fields = ["year"]


class CoverageFilterSet(UnitCoverageFilterSet):
    """The dashboard's unit-table filter, for any campaign and day (or a range of days)."""

    sort = None
    campaign = django_filters.ModelChoiceFilter(label=_("Campaign"), queryset=Campaign.objects.all())
    day = DateFilter(label=_("Day"))
    day_from = DateFilter(label=_("From"), field_name="day", lookup_expr="gte")
    day_to = DateFilter(label=_("To"), field_name="day", lookup_expr="lte")
    total = django_filters.BooleanFilter(
        label=_("Campaign total"),
        field_name="unit",
        lookup_expr="isnull",
        help_text=_("Only the campaign total."),
    )

    class Meta:
        model = CoverageSnapshot
        fields = ["campaign", "day", "day_from", "day_to", "unit", "kind", "below", "total"]


class FindingFilterSet(ProblemFilterSet):
    """The problem list's filter, for good practices too (`kind`)."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Finding.Kind.choices)

    class Meta:
        model = Finding
        fields = ["kind", "unit", "status", "overdue", "campaign", "escalated", "q"]


class ApiProjectFilterSet(ProjectFilterSet):
    ordering = None

    class Meta:
        model = BranchProject
        fields = ["q", "year", "unit", "department", "status"]


class ApiRatingFilterSet(RatingFilterSet):
    ordering = None

    class Meta:
        model = Rating
        fields = ["q", "round", "department", "unit", "needs_review"]


class RoundFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RatingRound.Status.choices)

    class Meta:
        model = RatingRound
        fields = ["year", "status"]


class TrackingListFilterSet(django_filters.FilterSet):
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=RatingRound.objects.all())
    current = django_filters.BooleanFilter(
        label=_("Current"), field_name="superseded_at", lookup_expr="isnull"
    )

    class Meta:
        model = TrackingList
        fields = ["round", "current"]


class TrackingEntryFilterSet(django_filters.FilterSet):
    round = django_filters.ModelChoiceFilter(
        label=_("Round"), field_name="tracking_list__round", queryset=RatingRound.objects.all()
    )
    tracking_list = django_filters.ModelChoiceFilter(
        label=_("Tracking list"), queryset=TrackingList.objects.all()
    )
    current = django_filters.BooleanFilter(
        label=_("Current"), field_name="tracking_list__superseded_at", lookup_expr="isnull"
    )
    on_list = django_filters.BooleanFilter(label=_("On the tracking list"))

    class Meta:
        model = TrackingEntry
        fields = ["round", "tracking_list", "current", "on_list"]


class OutstandingListFilterSet(django_filters.FilterSet):
    round = django_filters.ModelChoiceFilter(
        label=_("Round"), field_name="tracking_list__round", queryset=RatingRound.objects.all()
    )
    current = django_filters.BooleanFilter(
        label=_("Current"), field_name="superseded_at", lookup_expr="isnull"
    )

    class Meta:
        model = OutstandingList
        fields = ["round", "current"]
