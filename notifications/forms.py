"""Parsing only: the services validate."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.kinds import KINDS
from notifications.models import Channel, Preference
from org.models import Unit


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of emails"), choices=settings.LANGUAGES)

    def __init__(self, *args, choices: dict[str, str], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        for code, kind in KINDS.items():
            options = [
                c for c in Preference.Choice.choices if kind.can_turn_off or c[0] != Preference.Choice.OFF
            ]
            self.fields[f"kind_{code}"] = forms.ChoiceField(
                label=kind.label,
                choices=options,
                initial=choices.get(code, kind.default),
                help_text="" if kind.can_turn_off else _("This notice cannot be turned off."),
            )

    def kind_choices(self) -> dict[str, str]:
        return {code: self.cleaned_data[f"kind_{code}"] for code in KINDS}


class ChannelForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Channel"), choices=Channel.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    target = forms.CharField(
        label=_("Webhook address or email"),
        max_length=500,
        help_text=_("The group robot's webhook URL from its settings, or an email address."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("DingTalk and Feishu robots with signing on (加签). It is never shown again."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Notices it hears"),
        choices=[(code, kind.label) for code, kind in KINDS.items() if kind.to_channels],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
