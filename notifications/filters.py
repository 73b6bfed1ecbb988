import django_filters
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification

UNREAD, READ = "unread", "read"


class NotificationFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Show"), choices=[(UNREAD, _("Unread")), (READ, _("Read"))], method="filter_state"
    )

    class Meta:
        model = Notification
        fields = ["state"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(read_at__isnull=(value == UNREAD))
