"""Notices (one per event, once per deduplication key), the notifications users read, the unit
channels that also hear them, each delivery's state, and each user's preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from notifications.kinds import EMAIL, IN_APP, KINDS, OFF
from org.models import Unit
from org.permissions import ScopedQuerySet, has_role, unit_scope_path
from org.roles import Role


class Notice(models.Model):
    """One event worth telling: written once per `dedup_key`, so a re-run of a nightly job adds nothing."""

    kind = models.CharField(_("kind"), max_length=40)
    dedup_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    # The unit the event happened in: the channels of this unit and its ancestors hear it.
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    params = models.JSONField(_("parameters"), default=dict)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.dedup_key

    @property
    def title(self) -> str:
        from notifications.kinds import title_of

        return title_of(self.kind, self.params)


class NotificationQuerySet(ScopedQuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(recipient_id=user.pk)

    def visible_to(self, user) -> NotificationQuerySet:
        """A user's own notifications, nobody else's."""
        return self.for_user(user) if getattr(user, "is_authenticated", False) else self.none()

    def editable_by(self, user) -> NotificationQuerySet:
        # Marking read is the only change, and it is the recipient's.
        return self.visible_to(user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A notice in one user's notification centre."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "recipient"], name="notifications_once_per_recipient")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.notice_id}"


class ChannelQuerySet(ScopedQuerySet):
    editor_roles = (Role.ADMIN,)

    def visible_to(self, user) -> ChannelQuerySet:
        """Channels of the administrator's unit and its subtree (company-level: all)."""
        prefix = unit_scope_path(user)
        if prefix is None or not has_role(user, Role.ADMIN):
            return self.none()
        return self.filter(unit__path__startswith=prefix)


class Channel(models.Model):
    """Where a unit's notices also go: an email address or a group robot's webhook.

    The signing secret is write-only: forms never show it again once saved, only whether one is set;
    it is stored encrypted (`notifications.channel_secrets`) and kept out of the history.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")
        FEISHU = "feishu", _("Feishu group robot")
        WEBHOOK = "webhook", _("Generic JSON webhook")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    kind = models.CharField(_("channel"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    target = models.CharField(_("webhook address or email"), max_length=500)
    encrypted_secret = models.CharField(_("signing secret (encrypted)"), max_length=500, blank=True)
    kinds = models.JSONField(_("notice kinds"), default=list, blank=True)  # empty: every kind
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ChannelQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["encrypted_secret"])

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["unit__path", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def hears(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class DeliveryQuerySet(ScopedQuerySet):
    editor_roles = (Role.ADMIN,)

    def visible_to(self, user) -> DeliveryQuerySet:
        """Deliveries of notices in the administrator's scope (they retry the failed ones)."""
        prefix = unit_scope_path(user)
        if prefix is None or not has_role(user, Role.ADMIN):
            return self.none()
        return self.filter(notice__unit__path__startswith=prefix)


class Delivery(models.Model):
    """One notice sent to one channel or to one user's email; retried with backoff, then failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "channel"],
                condition=Q(channel__isnull=False),
                name="notifications_once_per_channel",
            ),
            models.UniqueConstraint(
                fields=["notice", "recipient"],
                condition=Q(recipient__isnull=False),
                name="notifications_one_email_per_recipient",
            ),
            models.CheckConstraint(
                condition=(Q(channel__isnull=True) & Q(recipient__isnull=False))
                | (Q(channel__isnull=False) & Q(recipient__isnull=True)),
                name="notifications_delivery_has_one_target",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.notice_id} -> {self.channel_id or self.recipient_id}: {self.status}"


class Preference(models.Model):
    """How one user hears of one kind of notice: in the app only, also by email, or not at all."""

    class Choice(models.TextChoices):
        IN_APP = IN_APP, _("In the app only")
        EMAIL = EMAIL, _("In the app and by email")
        OFF = OFF, _("Off")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=40, choices=[(k, v.label) for k, v in KINDS.items()])
    choice = models.CharField(_("how"), max_length=16, choices=Choice.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notifications_one_preference")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.choice}"


class MailLanguage(models.Model):
    """The language a user's notification emails are written in (the pages follow the browser)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language of emails"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("email language")
        verbose_name_plural = _("email languages")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
