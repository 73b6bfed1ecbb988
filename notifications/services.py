"""Every write of the notifications app: publishing notices (once per deduplication key), delivering
them to emails and unit channels (after the commit, retried with backoff), preferences, channels and
marking read."""

from __future__ import annotations

import datetime
import logging
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications import channel_secrets, webhooks
from notifications.kinds import EMAIL, IN_APP, KINDS, OFF
from notifications.models import Channel, Delivery, MailLanguage, Notice, Notification, Preference
from org.models import Role, Unit, User
from org.permissions import unit_in_scope, unit_scope_path

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_ATTEMPTS = 5
# Seconds before attempt n+1: 1 min, 5 min, 25 min, 2 h (then failed, shown to administrators).
BACKOFF_SECONDS = (60, 300, 1500, 7200)


@dataclass
class Draft:
    """One event to publish: who hears of it, where it happened, what it says and where it links."""

    dedup_key: str
    recipients: Sequence[User]
    unit: Unit | None = None
    branch_id: int | None = None
    params: dict = field(default_factory=dict)
    url: str = ""
    scoped: bool = True  # False for notices about the user's own work (their export, their ratings)


def may_hear_of(user: User, *, unit: Unit | None, branch_id: int | None) -> bool:
    """Whether the user's scope covers the event (today's permission API, no query: `unit` loaded)."""
    if user.is_superuser:
        return True
    if user.role == Role.SECRETARY:
        return branch_id is not None and user.branch_id == branch_id
    if unit is None or unit_scope_path(user) is None:
        return False
    return unit_in_scope(user, unit)


def _choices_of(kind: str, user_ids: Iterable[int]) -> dict[int, str]:
    default = KINDS[kind].default
    chosen = dict(
        Preference.objects.filter(kind=kind, user_id__in=list(user_ids)).values_list("user_id", "choice")
    )
    can_turn_off = KINDS[kind].can_turn_off
    return {
        user_id: (default if (choice == OFF and not can_turn_off) else choice)
        for user_id, choice in ((uid, chosen.get(uid, default)) for uid in user_ids)
    }


@transaction.atomic
def publish(*, kind: str, drafts: Sequence[Draft]) -> int:
    """Write each new event's notice and its recipients' notifications, and deliver them after the
    commit. A dedup key seen before is skipped, so re-running a job never tells anyone twice.
    A constant number of queries per batch of drafts. Returns how many notices were new."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    published = 0
    for start in range(0, len(drafts), BATCH_SIZE):
        published += _publish_batch(kind, drafts[start : start + BATCH_SIZE])
    return published


def _publish_batch(kind: str, drafts: Sequence[Draft]) -> int:
    keys = [draft.dedup_key for draft in drafts]
    seen = set(Notice.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    fresh = [draft for draft in {d.dedup_key: d for d in drafts}.values() if draft.dedup_key not in seen]
    if not fresh:
        return 0
    Notice.objects.bulk_create(
        [Notice(kind=kind, dedup_key=d.dedup_key, unit=d.unit, params=d.params, url=d.url) for d in fresh],
        ignore_conflicts=True,  # a simultaneous run wrote it first: its recipients are told once
    )
    ids = dict(
        Notice.objects.filter(dedup_key__in=[d.dedup_key for d in fresh]).values_list("dedup_key", "pk")
    )
    listeners = {
        (ids[d.dedup_key], user.pk)
        for d in fresh
        for user in d.recipients
        if user.is_active and (not d.scoped or may_hear_of(user, unit=d.unit, branch_id=d.branch_id))
    }
    choices = _choices_of(kind, {user_id for _notice, user_id in listeners})
    Notification.objects.bulk_create(
        [
            Notification(notice_id=notice_id, recipient_id=user_id)
            for notice_id, user_id in sorted(listeners)
            if choices[user_id] != OFF
        ],
        ignore_conflicts=True,
    )
    notice_ids = sorted(ids.values())
    transaction.on_commit(lambda: _enqueue_delivery(notice_ids))
    return len(fresh)


def _enqueue_delivery(notice_ids: list[int]) -> None:
    from notifications.tasks import deliver_notices

    try:
        deliver_notices.delay(notice_ids=notice_ids)
    except Exception:
        # The action that caused the event stands; the periodic catch-up delivers later.
        logger.exception("notifications: delivery of %s notices not queued", len(notice_ids))


# --- delivery ---------------------------------------------------------------------------------


def _channels_hearing(units: Iterable[Unit]) -> dict[int, list[Channel]]:
    """For each unit id, the active channels of it and its ancestors (a channel hears its subtree)."""
    units = list(units)
    paths = {path for unit in units for path in Unit.lineage_paths(unit.path)}
    by_path: dict[str, list[Channel]] = {}
    for channel in Channel.objects.filter(active=True, unit__path__in=paths).select_related("unit"):
        by_path.setdefault(channel.unit.path, []).append(channel)
    return {
        unit.pk: [channel for path in Unit.lineage_paths(unit.path) for channel in by_path.get(path, [])]
        for unit in units
    }


def _to_channels(kind: str) -> bool:
    known = KINDS.get(kind)
    return known is not None and known.to_channels


def plan_deliveries(*, notice_ids: Sequence[int]) -> list[int]:
    """Write the pending deliveries of these notices (emails by preference, unit channels) and return
    their ids; a delivery that exists already is not written again."""
    notices = list(Notice.objects.filter(pk__in=notice_ids).select_related("unit"))
    if not notices:
        return []
    channels = _channels_hearing(
        notice.unit for notice in notices if notice.unit is not None and _to_channels(notice.kind)
    )
    rows = []
    for notice in notices:
        for channel in channels.get(notice.unit_id, []):
            if channel.hears(notice.kind):
                rows.append(Delivery(notice=notice, channel=channel))
    by_kind: dict[str, list[int]] = {}
    for notice in notices:
        by_kind.setdefault(notice.kind, []).append(notice.pk)
    for kind, ids in by_kind.items():
        pairs = list(
            Notification.objects.filter(notice_id__in=ids)
            .exclude(recipient__email="")
            .values_list("notice_id", "recipient_id")
        )
        choices = _choices_of(kind, {user_id for _n, user_id in pairs})
        rows.extend(
            Delivery(notice_id=notice_id, recipient_id=user_id)
            for notice_id, user_id in pairs
            if choices[user_id] == EMAIL
        )
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(
            notice_id__in=notice_ids, status=Delivery.Status.PENDING, attempts=0
        ).values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class Attempt:
    sent: bool
    retry_in: int | None = None  # seconds until the next attempt, when one is due


def _within_rate_limit(channel: Channel) -> bool:
    """At most NOTIFICATION_CHANNEL_RATE_PER_MINUTE messages a minute to one channel (DingTalk's robots
    accept 20); with the cache down, messages go out unlimited rather than not at all."""
    limit = settings.NOTIFICATION_CHANNEL_RATE_PER_MINUTE
    key = f"notifications:rate:{channel.pk}:{int(timezone.now().timestamp() // 60)}"
    try:
        cache.add(key, 0, timeout=120)
        return cache.incr(key) <= limit
    except Exception:
        logger.warning("notifications: rate limit not checked (cache unavailable)", exc_info=True)
        return True


def attempt_delivery(*, delivery_id: int, now: datetime.datetime | None = None) -> Attempt:
    """Send one pending delivery once. A failure schedules the next attempt with backoff; after
    MAX_ATTEMPTS it is failed and listed for administrators. Two workers never send it twice."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status=Delivery.Status.PENDING,
    ).update(status=Delivery.Status.SENDING, updated_at=now)
    if not claimed:
        return Attempt(sent=False)
    delivery = Delivery.objects.select_related("notice", "channel", "recipient").get(pk=delivery_id)
    if delivery.channel is not None and not _within_rate_limit(delivery.channel):
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.PENDING, next_attempt_at=now + datetime.timedelta(seconds=60)
        )
        return Attempt(sent=False, retry_in=60)
    try:
        if delivery.channel is not None:
            _send_to_channel(delivery)
        else:
            _send_email(delivery)
    except Exception as exc:  # any failure of the far end is the delivery's, never the caller's
        attempts = delivery.attempts + 1
        failed = attempts >= MAX_ATTEMPTS
        retry_in = None if failed else BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
        logger.warning("notifications: delivery %s failed (attempt %s): %s", delivery_id, attempts, exc)
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            attempts=attempts,
            last_error=str(exc)[:300],
            next_attempt_at=None if failed else now + datetime.timedelta(seconds=retry_in),
            updated_at=now,
        )
        return Attempt(sent=False, retry_in=retry_in)
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT,
        attempts=delivery.attempts + 1,
        sent_at=now,
        last_error="",
        updated_at=now,
    )
    return Attempt(sent=True)


def due_deliveries(*, now: datetime.datetime | None = None) -> list[int]:
    """Pending deliveries whose next attempt is due (the periodic catch-up sends them)."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=15)
    # A worker that died while sending leaves it `sending`: after a while it is pending again.
    Delivery.objects.filter(status=Delivery.Status.SENDING, updated_at__lt=stale).update(
        status=Delivery.Status.PENDING
    )
    return list(
        Delivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=Delivery.Status.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def _send_to_channel(delivery: Delivery) -> None:
    channel, notice = delivery.channel, delivery.notice
    with translation.override(settings.LANGUAGE_CODE):
        title = notice.title
    if channel.kind == Channel.Kind.EMAIL:
        _mail(to=channel.target, notice=notice, language=settings.LANGUAGE_CODE, name=channel.name)
        return
    webhooks.post(
        kind=channel.kind,
        target=channel.target,
        secret=channel_secrets.decrypt(channel.encrypted_secret),
        message=webhooks.Message(
            kind=notice.kind, title=title, url=absolute(notice.url), created_at=notice.created_at.isoformat()
        ),
    )


def mail_language(user: User) -> str:
    chosen = MailLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def _send_email(delivery: Delivery) -> None:
    user = delivery.recipient
    _mail(
        to=user.email,
        notice=delivery.notice,
        language=mail_language(user),
        name=user.get_full_name() or user.username,
    )


def _mail(*, to: str, notice: Notice, language: str, name: str) -> None:
    with translation.override(language):
        context = {
            "name": name,
            "title": notice.title,
            "url": absolute(notice.url),
            "centre_url": absolute("/notifications/"),
            "preferences_url": absolute("/notifications/preferences/"),
        }
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        text = render_to_string("notifications/email/notice.txt", context)
        html = render_to_string("notifications/email/notice.html", context)
    message = EmailMultiAlternatives(subject, text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


# --- the notification centre and preferences ----------------------------------------------------


def mark_read(*, user: User, notification: Notification) -> None:
    if notification.recipient_id != user.pk:
        raise ValidationError(_("This notification is not yours."))
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, user: User) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


@transaction.atomic
def save_preferences(*, user: User, choices: dict[str, str], language: str) -> None:
    """Store the user's choice per kind (a kind that cannot be off refuses off) and their email language."""
    errors = {}
    for kind, choice in choices.items():
        if kind not in KINDS:
            errors[kind] = _("Unknown kind of notice.")
        elif choice not in (IN_APP, EMAIL, OFF):
            errors[kind] = _("Choose in the app only, by email or off.")
        elif choice == OFF and not KINDS[kind].can_turn_off:
            errors[kind] = _("This notice cannot be turned off.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose a language.")
    if errors:
        raise ValidationError(errors)
    for kind, choice in choices.items():
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"choice": choice})
    MailLanguage.objects.update_or_create(user=user, defaults={"language": language})


def _check_channel(*, user: User, unit: Unit, kind: str, target: str, kinds: Sequence[str]) -> None:
    errors = {}
    if not unit_in_scope(user, unit) or not user.is_admin:
        errors["unit"] = _("You can configure channels of your own unit and its subtree only.")
    if kind == Channel.Kind.EMAIL:
        from django.core.validators import validate_email

        try:
            validate_email(target)
        except ValidationError:
            errors["target"] = _("Enter an email address.")
    else:
        parsed = urllib.parse.urlsplit(target)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            errors["target"] = _("Enter the robot's webhook address (http:// or https://).")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        errors["kinds"] = _("Unknown kind of notice.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_channel(
    *, user: User, unit: Unit, kind: str, name: str, target: str, secret: str = "", kinds: Sequence[str] = ()
) -> Channel:
    _check_channel(user=user, unit=unit, kind=kind, target=target.strip(), kinds=kinds)
    return Channel.objects.create(
        unit=unit,
        kind=kind,
        name=name.strip() or Channel.Kind(kind).label,
        target=target.strip(),
        encrypted_secret=channel_secrets.encrypt(secret.strip()),
        kinds=list(kinds),
        created_by=user,
    )


@transaction.atomic
def remove_channel(*, user: User, channel: Channel) -> None:
    if not unit_in_scope(user, channel.unit) or not user.is_admin:
        raise ValidationError(_("You can configure channels of your own unit and its subtree only."))
    channel.delete()


@transaction.atomic
def retry_failed(*, delivery: Delivery) -> None:
    """An administrator sends a failed delivery again (from the failed deliveries list)."""
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=None
    )
    delivery_id = delivery.pk
    transaction.on_commit(lambda: _enqueue_send([delivery_id]))


def _enqueue_send(delivery_ids: list[int]) -> None:
    from notifications.tasks import send_delivery

    for delivery_id in delivery_ids:
        try:
            send_delivery.delay(delivery_id=delivery_id)
        except Exception:
            logger.exception("notifications: delivery %s not queued; the catch-up sends it", delivery_id)
