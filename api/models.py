"""API tokens: personal ones a user makes for themself, service ones an administrator makes for a unit.

Only a SHA-256 of the secret is stored; the secret is shown once, when the token is made. A token
acts as its user, so every request is scoped by the same permission API as the pages. A service
token's user is a staff account of the token's unit made for it alone (it cannot sign in).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Unit
from org.permissions import ScopedQuerySet, is_company_admin


class ApiTokenQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> ApiTokenQuerySet:
        """A user's own personal tokens; for a company administrator every service token too."""
        if not (getattr(user, "is_authenticated", False) and user.is_active):
            return self.none()
        mine = Q(kind=ApiToken.Kind.PERSONAL, user=user)
        return self.filter(mine | Q(kind=ApiToken.Kind.SERVICE) if is_company_admin(user) else mine)

    def editable_by(self, user) -> ApiTokenQuerySet:
        """Whoever sees a token may revoke it."""
        return self.visible_to(user)

    def usable(self, *, now=None) -> ApiTokenQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        SERVICE = "service", _("Service")

    class Access(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    name = models.CharField(_("name"), max_length=100)
    # The user the token acts as: its owner, or for a service token the account made for it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    service_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit scope"),
    )
    access = models.CharField(_("access"), max_length=8, choices=Access.choices, default=Access.READ)
    # The first characters of the secret, shown in lists so a user can tell their tokens apart.
    prefix = models.CharField(_("starts with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.WRITE

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
