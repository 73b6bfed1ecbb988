"""Optimistic locking: a record edited by two people at once refuses the second save.

A versioned model has `version = models.PositiveIntegerField(default=1)`; its edit form carries the
version the user loaded (`VersionedFormMixin`), and the service saves through `save_with_version`.
"""

from __future__ import annotations

from django import forms
from django.db import models, transaction
from django.utils.translation import gettext as _


class StaleEditError(Exception):
    """Someone else saved the record after this user opened it."""

    def __init__(self, message: str | None = None):
        self.message = message or _(
            "Someone else saved this record after you opened it. Reload the page to see their changes, "
            "then make yours again."
        )
        super().__init__(self.message)


def save_with_version(instance: models.Model, *, expected_version: int) -> None:
    """Save `instance` if its stored version is still `expected_version`, and bump the version.

    The row is locked while comparing, so two concurrent saves cannot both pass the check.
    A normal save() runs, so history (django-simple-history) and signals see the change.
    """
    model = type(instance)
    with transaction.atomic():
        stored = (
            model._default_manager.select_for_update().values_list("version", flat=True).get(pk=instance.pk)
        )
        if stored != expected_version:
            raise StaleEditError()
        instance.version = expected_version + 1
        instance.save()


class VersionedFormMixin(forms.Form):
    """Adds the hidden `version` the user loaded; views pass it to `save_with_version`."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
