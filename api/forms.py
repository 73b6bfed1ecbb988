"""Parsing of the token forms; the rules are in api.services."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from org.unit_filter import UnitTreeChoiceField


class DateInput(forms.DateInput):
    input_type = "date"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. the big screen.")
    )
    access = forms.ChoiceField(
        label=_("Access"), choices=ApiToken.Access.choices, initial=ApiToken.Access.READ
    )
    expires_on = forms.DateField(
        label=_("Expires after"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for no expiry."),
    )

    def expires_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        # Valid through the whole day chosen, in the site's time zone.
        return timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        )


class ServiceTokenForm(TokenForm):
    unit = UnitTreeChoiceField(label=_("Unit (with its sub-units)"), queryset=None)

    field_order = ["name", "unit", "access", "expires_on"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
