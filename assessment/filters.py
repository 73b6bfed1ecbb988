import django_filters
from django.utils.translation import gettext_lazy as _

from assessment.models import ExportJob


class ExportJobFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ExportJob.Status.choices)

    class Meta:
        model = ExportJob
        fields = ["year", "status"]
