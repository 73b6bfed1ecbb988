import django_filters
from django.utils.translation import gettext_lazy as _

from branchtrack.web.date_filter import DateFilter
from security.audit import HISTORY_TYPES, audited_models, search_text


def _model_choices():
    return [(audited.key, audited.label) for audited in audited_models()]


class AuditLogFilterSet(django_filters.FilterSet):
    """Filters for the audit log. It has no single model: `filter_queryset` is applied to each
    audited model's history table in turn (see `audit.audit_rows`), so every filter here must work
    on any historical model."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    model = django_filters.ChoiceFilter(label=_("Record type"), choices=_model_choices, method="any_model")
    user = django_filters.CharFilter(
        label=_("Changed by"), field_name="history_user__username", lookup_expr="icontains", max_length=150
    )
    action = django_filters.ChoiceFilter(
        label=_("Change"), field_name="history_type", choices=list(HISTORY_TYPES.items())
    )
    date_from = DateFilter(label=_("From"), field_name="history_date__date", lookup_expr="gte")
    date_to = DateFilter(label=_("To"), field_name="history_date__date", lookup_expr="lte")

    def search(self, queryset, name, value):
        return search_text(queryset, value)

    def any_model(self, queryset, name, value):
        # The record type picks which history tables take part in the union, not rows within one.
        return queryset
