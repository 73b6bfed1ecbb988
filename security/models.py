"""What the login throttle remembers. It lives in PostgreSQL, not Redis, so throttling keeps
working (and never fails a log-in) when the cache is down."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip} ({self.at:%Y-%m-%d %H:%M})"
