"""Idempotency keys (提交编号): a record made once per key, however often its form is sent.

The page (or the phone's offline queue) makes a UUID for a record before sending it. The model
stores it in a unique `idempotency_key` column, and the create service goes through
`create_once`: a repeat of the same key, sequential or concurrent, answers the record the first
send made instead of making a second one. Double taps, retries after a lost answer, a queue
replayed twice and two tabs sending the same draft all end as one row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

M = TypeVar("M", bound=models.Model)

FIELD_NAME = "idempotency_key"


def idempotency_key_field() -> models.UUIDField:
    """The model column: empty for rows made before keys existed (and by imports and the admin)."""
    return models.UUIDField(gettext_lazy("submission id"), null=True, blank=True, unique=True, editable=False)


class IdempotentFormMixin(forms.Form):
    """Adds the hidden key. An unbound form gets a fresh one, so the page works without JavaScript;
    the page's script replaces it with one it made itself when it keeps a draft."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields[FIELD_NAME].initial = uuid.uuid4()


def key_used_elsewhere() -> ValidationError:
    """The refusal for a key someone else's record (or another parent's) already holds."""
    return ValidationError(
        {
            NON_FIELD_ERRORS: [
                _("This submission id belongs to another record; reload the form and send again.")
            ]
        }
    )


def find_by_key(model: type[M], key: uuid.UUID | None) -> M | None:
    if key is None:
        return None
    return model._default_manager.filter(**{FIELD_NAME: key}).first()


def create_once(
    model: type[M],
    *,
    key: uuid.UUID | None,
    create: Callable[[], M],
    same_sender: Callable[[M], bool] = lambda existing: True,
) -> tuple[M, bool]:
    """Run `create` (which must store `key` on the row it makes) once per key.

    Returns the record and whether this call made it. A concurrent send of the same key waits on
    the unique index until the first one commits, then finds its row. A key already used by
    someone else (`same_sender` false) is refused rather than answered with their record.
    """
    if key is None:
        return create(), True
    existing = find_by_key(model, key)
    if existing is None:
        try:
            with transaction.atomic():
                return create(), True
        except IntegrityError:
            existing = find_by_key(model, key)
            if existing is None:  # another constraint failed: not ours to hide
                raise
    if not same_sender(existing):
        raise key_used_elsewhere()
    return existing, False
