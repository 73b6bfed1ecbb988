"""Writes of 联创共建: pairings, joint activities with their outcomes and attachments.

Each write is one transaction: an activity whose attachment cannot be stored is not saved either.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from branchtrack.web.idempotency import create_once, find_by_key
from branchtrack.web.uploads import check_upload
from org.models import Branch, Unit
from pairings.models import (
    ActivityAttachment,
    ActivityOutcome,
    ExternalOrg,
    LiaisonGroup,
    Pairing,
    PairingActivity,
    Theme,
    Village,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutcomeData:
    label: str
    value: Decimal
    unit_label: str = ""


@transaction.atomic
def create_pairing(
    *,
    external_org: ExternalOrg,
    themes: Iterable[Theme],
    start_date: datetime.date,
    branch: Branch | None = None,
    unit: Unit | None = None,
    end_date: datetime.date | None = None,
    status: str = Pairing.Status.ACTIVE,
    agreement: str = "",
    idempotency_key: uuid.UUID | None = None,
) -> Pairing:
    """A new pairing, once per idempotency key (a repeat answers the first one)."""
    pairing = Pairing(
        branch=branch,
        unit=unit,
        external_org=external_org,
        start_date=start_date,
        end_date=end_date,
        status=status,
        agreement=agreement,
        idempotency_key=idempotency_key,
    )
    repeat = find_by_key(Pairing, idempotency_key)
    if repeat is not None:
        return repeat
    pairing.full_clean(validate_unique=False)

    def create() -> Pairing:
        pairing.save()
        pairing.themes.set(themes)
        return pairing

    return create_once(Pairing, key=idempotency_key, create=create)[0]


@transaction.atomic
def update_pairing(
    *,
    pairing: Pairing,
    themes: Iterable[Theme],
    start_date: datetime.date,
    end_date: datetime.date | None,
    status: str,
    agreement: str,
) -> Pairing:
    pairing.start_date, pairing.end_date = start_date, end_date
    pairing.status, pairing.agreement = status, agreement
    pairing.full_clean()
    pairing.save()
    pairing.themes.set(themes)
    return pairing


def log_activity(
    *,
    pairing: Pairing,
    user,
    date: datetime.date,
    title: str,
    description: str,
    our_people: int = 0,
    our_party_members: int = 0,
    their_people: int = 0,
    their_party_members: int = 0,
    outcome_text: str = "",
    outcomes: Sequence[OutcomeData] = (),
    uploads: Sequence = (),
    idempotency_key: uuid.UUID | None = None,
) -> PairingActivity:
    """Save an activity with its outcomes and attachments, all or nothing, once per idempotency key.

    Uploads are re-checked here (type by content, size) so no caller can store an unchecked file;
    a ValidationError leaves nothing behind, neither rows nor files. A repeat of the key answers
    the first activity and stores nothing.
    """
    repeat = find_by_key(PairingActivity, idempotency_key)
    if repeat is not None and repeat.pairing_id == pairing.pk:
        return repeat
    checked = [(upload, check_upload(upload)) for upload in uploads]
    stored: list[str] = []

    def create() -> PairingActivity:
        activity = PairingActivity(
            pairing=pairing,
            date=date,
            title=title,
            description=description,
            our_people=our_people,
            our_party_members=our_party_members,
            their_people=their_people,
            their_party_members=their_party_members,
            outcome_text=outcome_text,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            idempotency_key=idempotency_key,
        )
        activity.full_clean(validate_unique=False)
        activity.save()
        bulk_create_with_history(
            [
                ActivityOutcome(activity=activity, label=o.label, value=o.value, unit_label=o.unit_label)
                for o in outcomes
            ],
            ActivityOutcome,
            default_user=activity.created_by,
        )
        for upload, found in checked:
            attachment = ActivityAttachment(
                activity=activity,
                kind=found.kind,
                content_type=found.content_type,
                original_name=upload.name[:200],
                size=upload.size,
                uploaded_by=activity.created_by,
            )
            # The stored name is ours (random, with the extension of the sniffed type), never the sender's.
            attachment.file.save(f"{uuid.uuid4().hex}.{found.extension}", upload, save=False)
            stored.append(attachment.file.name)
            attachment.save()
        return activity

    try:
        with transaction.atomic():
            activity, created = create_once(
                PairingActivity,
                key=idempotency_key,
                create=create,
                same_sender=lambda existing: existing.pairing_id == pairing.pk,
            )
    except BaseException:
        for name in stored:
            _delete_quietly(name)
        raise
    if not created:
        for name in stored:
            _delete_quietly(name)
    return activity


@transaction.atomic
def update_activity(
    *,
    activity: PairingActivity,
    user,
    date: datetime.date,
    title: str,
    description: str,
    our_people: int = 0,
    our_party_members: int = 0,
    their_people: int = 0,
    their_party_members: int = 0,
    outcome_text: str = "",
    outcomes: Sequence[OutcomeData] = (),
) -> PairingActivity:
    """Correct a logged activity and replace its outcomes; attachments stay. The audit trail keeps
    every earlier version (django-simple-history records the change and who made it)."""
    activity.date, activity.title, activity.description = date, title, description
    activity.our_people, activity.our_party_members = our_people, our_party_members
    activity.their_people, activity.their_party_members = their_people, their_party_members
    activity.outcome_text = outcome_text
    activity.full_clean(validate_unique=False)
    activity._history_user = user
    activity.save()
    for outcome in activity.outcomes.all():
        outcome._history_user = user
        outcome.delete()
    bulk_create_with_history(
        [
            ActivityOutcome(activity=activity, label=o.label, value=o.value, unit_label=o.unit_label)
            for o in outcomes
        ],
        ActivityOutcome,
        default_user=user,
    )
    return activity


def delete_activity(*, activity: PairingActivity, user) -> None:
    """Delete an activity with its outcomes and attachments; the audit trail keeps what was deleted.

    The attachments' files go once the deletion is committed (a rolled-back delete keeps them)."""
    with transaction.atomic():
        files = [attachment.file.name for attachment in activity.attachments.all()]
        for related in [*activity.outcomes.all(), *activity.attachments.all()]:
            related._history_user = user
            related.delete()
        activity._history_user = user
        activity.delete()
        transaction.on_commit(lambda: [_delete_quietly(name) for name in files])


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:  # pragma: no cover - a leftover file is harmless, a masked error is not
        logger.warning("could not remove %s after a failed activity save", name)


@dataclass(frozen=True)
class VillageName:
    name: str
    township: str = ""


@transaction.atomic
def save_liaison_group(
    *,
    branch: Branch,
    name: str,
    channel: str,
    start_date: datetime.date,
    villages: Sequence[VillageName],
    cadre_count: int,
    cadre_names: str = "",
    group: LiaisonGroup | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> LiaisonGroup:
    """Create or update a branch's liaison group; villages are matched by township and name, so a
    village reached by two branches is one row and counts once in the totals."""

    def write(target: LiaisonGroup) -> LiaisonGroup:
        target.branch, target.name, target.channel, target.start_date = branch, name, channel, start_date
        target.cadre_count, target.cadre_names = cadre_count, cadre_names
        target.full_clean(validate_unique=False)
        target.save()
        rows = [
            Village.objects.get_or_create(name=village.name, township=village.township)[0]
            for village in villages
        ]
        target.villages.set(rows)
        return target

    if group is not None:
        return write(group)
    # A new group's form sent twice makes one group: the repeat answers the first.
    return create_once(
        LiaisonGroup, key=idempotency_key, create=lambda: write(LiaisonGroup(idempotency_key=idempotency_key))
    )[0]
