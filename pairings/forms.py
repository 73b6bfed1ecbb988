import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from branchtrack.web.idempotency import IdempotentFormMixin
from branchtrack.web.uploads import PDF, PHOTO, check_upload
from org.models import Branch, Unit
from pairings.models import ExternalOrg, LiaisonGroup, Pairing, PairingActivity, Theme, split_names
from pairings.services import OutcomeData, VillageName

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each one is checked by content and size, errors name the file."""

    def __init__(self, *args, kinds=(PHOTO, PDF), **kwargs):
        self.kinds = kinds  # what this input accepts: photos, PDFs or both
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned, errors = [], []
        for upload in files:
            upload = super().clean(upload, initial)
            try:
                check_upload(upload, kinds=self.kinds)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
            else:
                cleaned.append(upload)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class PairingForm(IdempotentFormMixin, forms.ModelForm):
    """Create a pairing: one of ours (a branch or a unit committee, from the user's scope) and an external one."""

    class Meta:
        model = Pairing
        fields = ["branch", "unit", "external_org", "themes", "start_date", "end_date", "status", "agreement"]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "start_date": DATE,
            "end_date": DATE,
            "agreement": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "branch": _(
                "Choose our party branch, or leave it empty and choose a unit party committee below."
            ),
        }

    def __init__(self, *args, branches=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = (
            branches if branches is not None else Branch.objects.none()
        ).select_related("unit")
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        self.fields["external_org"].queryset = ExternalOrg.objects.order_by("name")
        self.fields["themes"].queryset = Theme.objects.filter(active=True)
        if self.instance.pk:
            # Who is paired with whom is the pairing's identity; a different pair is a new pairing.
            for name in ("branch", "unit", "external_org"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        branch, unit = cleaned.get("branch"), cleaned.get("unit")
        if not self.instance.pk and "branch" not in self.errors and "unit" not in self.errors:
            if branch and unit:
                self.add_error("unit", _("Choose either a party branch or a unit party committee, not both."))
            elif not branch and not unit:
                self.add_error("branch", _("Choose our party branch or a unit party committee."))
        return cleaned


class ActivityForm(IdempotentFormMixin, forms.ModelForm):
    photos = MultipleFileField(
        label=_("Photos"),
        kinds=(PHOTO,),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text=_("JPEG, PNG or WebP; on a phone you can take them with the camera."),
    )
    documents = MultipleFileField(
        label=_("PDF documents"),
        kinds=(PDF,),
        widget=MultipleFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = PairingActivity
        fields = [
            "date",
            "title",
            "description",
            "our_people",
            "our_party_members",
            "their_people",
            "their_party_members",
            "outcome_text",
        ]
        labels = {"outcome_text": _("Other outcomes, in words")}
        widgets = {
            "date": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "outcome_text": forms.Textarea(attrs={"rows": 3}),
            **{
                name: forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})
                for name in ("our_people", "our_party_members", "their_people", "their_party_members")
            },
        }

    def __init__(self, *args, pairing: Pairing, today: datetime.date, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing, self.today = pairing, today
        self.instance.pairing = pairing
        if editing:
            # A correction changes the record, not its files, and saves in place (no new key).
            for name in ("photos", "documents", "idempotency_key"):
                self.fields.pop(name, None)
            return
        self.fields["photos"].help_text = _(
            "JPEG, PNG or WebP, up to %(limit)s MB each; on a phone you can take them with the camera."
        ) % {"limit": _limit_mb()}
        self.fields["documents"].help_text = _("PDF, up to %(limit)s MB each.") % {"limit": _limit_mb()}
        if not self.is_bound:
            self.initial.setdefault("date", today)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > self.today:
            raise forms.ValidationError(_("The activity cannot be in the future."))
        if date < self.pairing.start_date:
            raise forms.ValidationError(
                _("The pairing started on %(start)s; the activity cannot be earlier.")
                % {"start": self.pairing.start_date.isoformat()}
            )
        return date

    def clean(self):
        cleaned = super().clean()
        for side in ("our", "their"):
            people, members = cleaned.get(f"{side}_people"), cleaned.get(f"{side}_party_members")
            if people is not None and members is not None and members > people:
                self.add_error(f"{side}_party_members", _("cannot be more than the people of this side."))
        return cleaned


def _limit_mb() -> str:
    from django.conf import settings

    return f"{settings.UPLOAD_MAX_BYTES / 1_048_576:g}"


class OutcomeForm(forms.Form):
    label = forms.CharField(label=_("Outcome"), max_length=60, required=False)
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=12,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    unit_label = forms.CharField(label=_("Unit of measure"), max_length=20, required=False)

    def clean(self):
        cleaned = super().clean()
        label, value = cleaned.get("label"), cleaned.get("value")
        if label and value is None and "value" not in self.errors:
            self.add_error("value", _("Enter the number for this outcome."))
        if value is not None and not label:
            self.add_error("label", _("Say what this number measures."))
        return cleaned


OutcomeFormSet = forms.formset_factory(OutcomeForm, extra=3, max_num=20, validate_max=True)


class ExternalOrgImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx) or CSV with the columns 编码, 名称, 类别, 上级单位, 联系人, 联系电话."),
    )


class LiaisonGroupForm(IdempotentFormMixin, forms.ModelForm):
    """A liaison group with its villages typed one per line ("城关镇 王家村" or just "王家村")."""

    village_lines = forms.CharField(
        label=_("Villages"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One village per line; put the township first, separated by a space, if you know it."),
    )

    field_order = ["branch", "name", "channel", "start_date", "village_lines", "cadre_count", "cadre_names"]

    class Meta:
        model = LiaisonGroup
        fields = ["branch", "name", "channel", "start_date", "cadre_count", "cadre_names"]
        widgets = {
            "start_date": DATE,
            "cadre_names": forms.Textarea(attrs={"rows": 3}),
            "cadre_count": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches.select_related("unit")
        if self.instance.pk:
            self.initial["village_lines"] = "\n".join(
                f"{v.township} {v.name}".strip() for v in self.instance.villages.all()
            )

    def clean_village_lines(self) -> list[VillageName]:
        villages = []
        for line in self.cleaned_data["village_lines"].splitlines():
            parts = line.split()
            if not parts:
                continue
            township, name = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else ("", parts[0])
            if len(name) > 60 or len(township) > 60:
                raise forms.ValidationError(_("A village or township name is longer than 60 characters."))
            villages.append(VillageName(name=name, township=township))
        if not villages:
            raise forms.ValidationError(_("Enter at least one village."))
        return list(dict.fromkeys(villages))

    def clean(self):
        cleaned = super().clean()
        count, names = cleaned.get("cadre_count"), split_names(cleaned.get("cadre_names") or "")
        if count is not None and len(names) > count:
            self.add_error(
                "cadre_names",
                _("%(names)s names are listed but only %(count)s cadres are counted.")
                % {"names": len(names), "count": count},
            )
        return cleaned


ACTIVITY_FIELDS = (
    "date",
    "title",
    "description",
    "our_people",
    "our_party_members",
    "their_people",
    "their_party_members",
    "outcome_text",
)


def activity_fields(data: dict, outcome_rows) -> dict:
    """What logging and correcting an activity take from its form (page or API) and its outcome rows;
    rows without a label are the form's empty extra rows."""
    return {
        **{name: data[name] for name in ACTIVITY_FIELDS},
        "outcomes": [
            OutcomeData(label=row["label"], value=row["value"], unit_label=row["unit_label"])
            for row in outcome_rows
            if row.get("label")
        ],
    }
