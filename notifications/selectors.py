"""Reads of the notification centre and the channel pages (constant queries per page)."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Delivery, Notification


def unread_count(user) -> int:
    """The bell's number: one indexed COUNT."""
    return Notification.objects.for_user(user).unread().count()


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).select_related("notice")


def failed_deliveries(*, user, for_change: bool = False) -> QuerySet[Delivery]:
    """Failed deliveries of notices in the administrator's scope, newest first (to retry: `for_change`)."""
    scoped = Delivery.objects.editable_by(user) if for_change else Delivery.objects.visible_to(user)
    return (
        scoped.filter(status=Delivery.Status.FAILED)
        .select_related("notice", "channel", "recipient")
        .order_by("-updated_at", "-pk")
    )
