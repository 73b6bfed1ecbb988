from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The apps below announce their events as Django signals; the receivers turn them into notices.
        from notifications import receivers  # noqa: F401
