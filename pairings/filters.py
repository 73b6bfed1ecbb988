import datetime

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branchtrack.web.date_filter import DateFilter
from org.models import Unit
from org.unit_filter import UnitSubtreeFilter
from pairings.models import ExternalOrg, LiaisonGroup, Pairing, PairingActivity, Theme

YES_NO = (("yes", _("Yes")), ("no", _("No")))


def _in_unit_subtree(queryset, unit: Unit, prefix: str = ""):
    return queryset.filter(
        Q(**{f"{prefix}branch__unit__path__startswith": unit.path})
        | Q(**{f"{prefix}unit__path__startswith": unit.path})
    )


class PairingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.all(), field_name="themes", distinct=True
    )
    unit = UnitSubtreeFilter(method="in_unit")
    kind = django_filters.ChoiceFilter(
        label=_("Kind of external organisation"),
        choices=ExternalOrg.Kind.choices,
        field_name="external_org__kind",
    )
    ours = django_filters.ChoiceFilter(
        label=_("Ours"),
        choices=(("branch", _("Party branch")), ("unit", _("Unit party committee"))),
        method="ours_kind",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Pairing.Status.choices)
    activity_this_year = django_filters.ChoiceFilter(
        label=_("Activity this year"),
        choices=(("yes", _("With activity this year")), ("no", _("Without activity this year"))),
        method="with_activity_this_year",
    )
    dormant = django_filters.ChoiceFilter(label=_("Dormant"), choices=YES_NO, method="is_dormant_filter")

    class Meta:
        model = Pairing
        fields = ["q", "theme", "unit", "kind", "ours", "status", "activity_this_year", "dormant"]

    def __init__(self, *args, user=None, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or datetime.date.today()
        self.filters["unit"].queryset = Unit.objects.visible_to(user)
        self.filters["theme"].queryset = Theme.objects.all()

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(external_org__name__icontains=value)
            | Q(external_org__code__icontains=value)
            | Q(branch__name__icontains=value)
            | Q(branch__code__icontains=value)
            | Q(unit__name__icontains=value)
            | Q(agreement__icontains=value)
        )

    def in_unit(self, queryset, name, unit):
        return _in_unit_subtree(queryset, unit)

    def ours_kind(self, queryset, name, value):
        return queryset.filter(branch__isnull=value != "branch")

    def with_activity_this_year(self, queryset, name, value):
        return queryset.with_activity_in_year(self.today.year).filter(active_in_year=value == "yes")

    def is_dormant_filter(self, queryset, name, value):
        # The list queryset carries the `is_dormant` annotation (see selectors.pairing_list).
        return queryset.filter(is_dormant=value == "yes")


class ActivityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.all(), field_name="pairing__themes", distinct=True
    )
    unit = UnitSubtreeFilter(method="in_unit")
    kind = django_filters.ChoiceFilter(
        label=_("Kind of external organisation"),
        choices=ExternalOrg.Kind.choices,
        field_name="pairing__external_org__kind",
    )
    date_from = DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = DateFilter(label=_("To"), field_name="date", lookup_expr="lte")

    class Meta:
        model = PairingActivity
        fields = ["q", "theme", "unit", "kind", "date_from", "date_to"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(outcome_text__icontains=value)
            | Q(pairing__external_org__name__icontains=value)
            | Q(pairing__branch__name__icontains=value)
            | Q(pairing__unit__name__icontains=value)
        )

    def in_unit(self, queryset, name, unit):
        return _in_unit_subtree(queryset, unit, prefix="pairing__")


class ExternalOrgFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ExternalOrg.Kind.choices)
    paired = django_filters.ChoiceFilter(label=_("Paired"), choices=YES_NO, method="is_paired")

    class Meta:
        model = ExternalOrg
        fields = ["q", "kind", "paired"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(code__icontains=value)
            | Q(parent_company__icontains=value)
            | Q(contact_person__icontains=value)
        )

    def is_paired(self, queryset, name, value):
        return queryset.filter(pairing_count__gt=0) if value == "yes" else queryset.filter(pairing_count=0)


class LiaisonGroupFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = UnitSubtreeFilter(method="in_unit")

    class Meta:
        model = LiaisonGroup
        fields = ["q", "unit"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(branch__name__icontains=value)
            | Q(villages__name__icontains=value)
            | Q(cadre_names__icontains=value)
        ).distinct()

    def in_unit(self, queryset, name, unit):
        return queryset.filter(branch__unit__path__startswith=unit.path)
