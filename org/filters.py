import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.models import Branch, Unit
from org.unit_filter import UnitSubtreeFilter


class BranchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = UnitSubtreeFilter(method="in_unit_subtree")
    active = django_filters.BooleanFilter(
        label=_("Active"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Branch
        fields = ["q", "unit", "active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(secretary__icontains=value)
        )

    def in_unit_subtree(self, queryset, name, unit):
        return queryset.in_subtree(unit)
