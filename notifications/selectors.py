"""Reads of the notification centre and the channel pages (constant queries per page)."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Channel, Delivery, Notification
from org.permissions import unit_scope_path


def unread_count(user) -> int:
    """The bell's number: one indexed COUNT."""
    return Notification.objects.for_user(user).unread().count()


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).select_related("notice")


def channels_visible_to(user) -> QuerySet[Channel]:
    """Channels of the administrator's unit and its subtree (company-level: all)."""
    prefix = unit_scope_path(user)
    if prefix is None or not user.is_admin:
        return Channel.objects.none()
    return Channel.objects.filter(unit__path__startswith=prefix).select_related("unit")


def failed_deliveries_visible_to(user) -> QuerySet[Delivery]:
    """Failed deliveries of the channels the administrator configures and of notices in their scope."""
    prefix = unit_scope_path(user)
    if prefix is None or not user.is_admin:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(status=Delivery.Status.FAILED, notice__unit__path__startswith=prefix)
        .select_related("notice", "channel", "recipient")
        .order_by("-updated_at", "-pk")
    )
