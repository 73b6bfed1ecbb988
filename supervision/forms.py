from __future__ import annotations

import datetime
import json
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from branchtrack.web.concurrency import VersionedFormMixin
from branchtrack.web.idempotency import IdempotentFormMixin
from supervision.models import Campaign, ChecklistArea, Finding
from supervision.services import FindingInput, Location, PlanRow, ScoreInput

# Findings written on the visit form itself (on the phone); more go on the visit page afterwards.
MAX_FINDINGS_ON_FORM = 20


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VisitForm(IdempotentFormMixin, VersionedFormMixin, forms.Form):
    """Date, visitors, one score and remark per checklist item, overall comment.

    The score fields are built from the checklist version the visit uses; range errors are shown
    next to the item they belong to.
    """

    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, empty_label=_("Choose a branch"))
    visited_on = forms.DateField(label=_("Date of visit"), widget=DateInput())
    visitors = forms.CharField(
        label=_("Visitors"), max_length=200, help_text=_("Names, separated by commas.")
    )
    overall_comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Filled by the page's script: the phone's clock at completion, and its location if the visitor
    # chose to add it; the findings written on the form, as JSON (see `clean_findings`).
    device_time = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    latitude = forms.DecimalField(
        widget=forms.HiddenInput, required=False, min_value=-90, max_value=90, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        widget=forms.HiddenInput,
        required=False,
        min_value=-180,
        max_value=180,
        max_digits=9,
        decimal_places=6,
    )
    location_accuracy_m = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=1_000_000
    )
    findings = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100_000)

    def __init__(
        self,
        *args,
        campaign: Campaign,
        branches,
        areas: list[ChecklistArea],
        fixed_branch: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.areas = areas
        self.fields["branch"].queryset = branches
        self.fields["branch"].error_messages["invalid_choice"] = _(
            "This branch is not in your scope for this campaign."
        )
        self.fields["branch"].widget.attrs["data-searchable"] = "true"
        if fixed_branch:
            # An existing visit's branch never changes; the field is shown but not posted.
            self.fields["branch"].disabled = True
        self.fields["visited_on"].widget.attrs.update(
            min=campaign.starts_on.isoformat(), max=campaign.ends_on.isoformat()
        )
        self.item_rows: list[tuple[ChecklistArea, list]] = []
        for area in areas:
            rows = []
            for item in area.items.all():
                score_name, remark_name = f"score_{item.pk}", f"remark_{item.pk}"
                self.fields[score_name] = forms.DecimalField(
                    label=item.text,
                    required=False,
                    max_digits=5,
                    decimal_places=1,
                    help_text=_("%(low)s to %(high)s, weight %(weight)s")
                    % {"low": item.min_score, "high": item.max_score, "weight": item.weight},
                    widget=forms.NumberInput(
                        attrs={
                            "min": item.min_score,
                            "max": item.max_score,
                            "step": "0.5",
                            "inputmode": "decimal",
                        }
                    ),
                )
                self.fields[remark_name] = forms.CharField(label=_("Remark"), required=False, max_length=500)
                rows.append((item, self[score_name], self[remark_name]))
            self.item_rows.append((area, rows))

    @property
    def complete_requested(self) -> bool:
        return self.data.get("action") == "complete"

    def scores(self) -> dict[int, ScoreInput]:
        result = {}
        for area in self.areas:
            for item in area.items.all():
                result[item.pk] = ScoreInput(
                    score=self.cleaned_data.get(f"score_{item.pk}"),
                    remark=(self.cleaned_data.get(f"remark_{item.pk}") or "").strip(),
                )
        return result

    def clean_findings(self) -> list[FindingInput]:
        raw = self.cleaned_data.get("findings") or ""
        if not raw.strip():
            return []
        try:
            entries = json.loads(raw)
        except ValueError:
            entries = None
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise forms.ValidationError(_("The findings could not be read; add them again."))
        if len(entries) > MAX_FINDINGS_ON_FORM:
            raise forms.ValidationError(
                _("At most %(count)s findings on the form; add more on the visit page.")
                % {"count": MAX_FINDINGS_ON_FORM}
            )
        findings = []
        for number, entry in enumerate(entries, start=1):
            kind, title = str(entry.get("kind", "")), str(entry.get("title", "")).strip()
            description = str(entry.get("description", ""))[:10_000]
            problem = _("Finding %(number)s: ") % {"number": number}
            if kind not in Finding.Kind.values:
                raise forms.ValidationError(problem + _("choose good practice or problem."))
            if not title or len(title) > 200:
                raise forms.ValidationError(problem + _("give it a title (at most 200 characters)."))
            due_on = None
            if kind == Finding.Kind.PROBLEM:
                try:
                    due_on = datetime.date.fromisoformat(str(entry.get("due_on", "")))
                except ValueError:
                    raise forms.ValidationError(problem + _("a problem needs a due date.")) from None
            try:
                key = uuid.UUID(str(entry["key"])) if entry.get("key") else None
            except ValueError:
                raise forms.ValidationError(problem + _("its submission id is not valid.")) from None
            findings.append(
                FindingInput(
                    kind=kind, title=title, description=description, due_on=due_on, idempotency_key=key
                )
            )
        return findings

    def visit_fields(self) -> dict:
        """What the create and update services take from the form."""
        data = self.cleaned_data
        location = None
        if data.get("latitude") is not None and data.get("longitude") is not None:
            location = Location(
                latitude=data["latitude"],
                longitude=data["longitude"],
                accuracy_m=data.get("location_accuracy_m"),
            )
        return {
            "visited_on": data["visited_on"],
            "visitors": data["visitors"],
            "overall_comment": data["overall_comment"],
            "scores": self.scores(),
            "complete": self.complete_requested,
            "idempotency_key": data.get("idempotency_key"),
            "device_time": data.get("device_time"),
            "location": location,
            "findings": data.get("findings") or [],
        }

    def clean_visited_on(self):
        value = self.cleaned_data["visited_on"]
        if not self.campaign.starts_on <= value <= self.campaign.ends_on:
            raise forms.ValidationError(
                _("The date must fall inside the campaign (%(start)s to %(end)s).")
                % {"start": self.campaign.starts_on.isoformat(), "end": self.campaign.ends_on.isoformat()}
            )
        return value

    def clean(self):
        cleaned = super().clean()
        for area in self.areas:
            for item in area.items.all():
                name = f"score_{item.pk}"
                value = cleaned.get(name)
                if value is not None and not item.min_score <= value <= item.max_score:
                    self.add_error(
                        name,
                        _("Give a score from %(low)s to %(high)s.")
                        % {"low": item.min_score, "high": item.max_score},
                    )
                elif value is None and self.complete_requested and name not in self.errors:
                    self.add_error(name, _("Score every item to complete the visit."))
        given = [cleaned.get(name) is not None for name in ("latitude", "longitude")]
        if any(given) and not all(given):
            self.add_error(None, _("A location needs both latitude and longitude."))
        return cleaned


class FindingForm(IdempotentFormMixin, forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["kind", "title", "description", "owner_unit", "due_on"]
        widgets = {"due_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = units
        self.fields["due_on"].help_text = _("Required for a problem.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Finding.Kind.PROBLEM and not cleaned.get("due_on"):
            self.add_error("due_on", _("A problem needs a due date."))
        return cleaned


class ResolveProblemForm(forms.Form):
    resolution = forms.CharField(label=_("How it was solved"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(
        label=_("Evidence of the fix"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What shows the problem is fixed: a document number, a photo reference, minutes..."),
    )
    evidence_file = forms.FileField(
        label=_("Photo or PDF of the fix"),
        required=False,
        help_text=_("A photo (JPEG, PNG, WebP) or a PDF; a text, a file or both."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=DateInput())


class MeetingForm(IdempotentFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    title = forms.CharField(label=_("Meeting"), max_length=200)
    attendees = forms.CharField(label=_("Attended by"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class FeedbackForm(IdempotentFormMixin, forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all())
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    summary = forms.CharField(
        label=_("Summary of the unit's campaign results"), widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


# --- visit plans --------------------------------------------------------------------------------


class VisitorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name() or user.username}（{user.unit.name if user.unit else '-'}）"


class AssignForm(forms.Form):
    """Bulk assignment: the chosen branches (posted as `branch`), who visits them and when."""

    visitors = VisitorChoiceField(
        label=_("Visitors"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    planned_on = forms.DateField(label=_("Date"), widget=DateInput())
    whole_week = forms.BooleanField(
        label=_("Any day of that week"), required=False, help_text=_("The visit is due by the week's Sunday.")
    )
    share_out = forms.BooleanField(
        label=_("Share the branches out among the visitors"),
        required=False,
        help_text=_("One visitor per branch, in turn; otherwise every chosen visitor goes to every branch."),
    )

    def __init__(self, *args, visitors, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"].queryset = visitors
        self.fields["planned_on"].widget.attrs.update(
            min=campaign.starts_on.isoformat(), max=campaign.ends_on.isoformat()
        )

    def rows(self, branch_ids: list[int]) -> list[PlanRow]:
        data = self.cleaned_data
        visitors = [visitor.pk for visitor in data["visitors"]]
        rows = []
        for index, branch_id in enumerate(branch_ids):
            chosen = (visitors[index % len(visitors)],) if data["share_out"] and visitors else tuple(visitors)
            rows.append(
                PlanRow(
                    branch_id=branch_id,
                    visitor_ids=chosen,
                    planned_on=data["planned_on"],
                    whole_week=data["whole_week"],
                )
            )
        return rows


class BranchIdsField(forms.Field):
    """Branch ids posted under one name (rows left out of a preview); junk ones are an error."""

    widget = forms.MultipleHiddenInput
    MAX_IDS = 5_000

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        if len(values) > self.MAX_IDS or not all(
            str(v).isascii() and str(v).isdigit() and len(str(v)) < 12 for v in values
        ):
            raise forms.ValidationError(_("A branch id is not a number."))
        return sorted({int(v) for v in values})


class AutomaticPlanForm(forms.Form):
    """What the automatic plan covers: a unit's subtree, and optionally only some of its staff."""

    unit = forms.ModelChoiceField(label=_("Unit (with its sub-units)"), queryset=None)
    visitors = VisitorChoiceField(
        label=_("Visitors"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Leave empty for every party-affairs staff member of the unit."),
    )
    skip = BranchIdsField(required=False, label=_("Left out"))
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, units, visitors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["visitors"].queryset = visitors


class PlanEditForm(VersionedFormMixin, forms.Form):
    visitors = VisitorChoiceField(
        label=_("Visitors"), queryset=None, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    planned_on = forms.DateField(label=_("Date"), widget=DateInput())
    whole_week = forms.BooleanField(label=_("Any day of that week"), required=False)

    def __init__(self, *args, visitors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"].queryset = visitors


class PlanCancelForm(VersionedFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)
