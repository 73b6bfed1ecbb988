from django import forms
from django.utils.translation import gettext_lazy as _

from branchtrack.web.concurrency import VersionedFormMixin
from branchtrack.web.idempotency import IdempotentFormMixin
from org.models import Department
from projects.models import BranchProject, RatingRound


class ProjectForm(VersionedFormMixin, forms.ModelForm):
    """A branch project's content; the reason goes into the revision history."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once the project has been rated; kept in the revision history."),
    )

    class Meta:
        model = BranchProject
        fields = [
            "title",
            "central_item",
            "departments",
            "indicator_name",
            "indicator_unit",
            "baseline",
            "target",
            "actual",
            "description",
            "status",
        ]
        widgets = {
            "departments": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.order_by("code")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if frozen:
            # Shown, not editable: the service refuses a change anyway, this just says so up front.
            for name in BranchProject.RATED_FIELDS:
                self.fields[name].disabled = True


class NewProjectForm(IdempotentFormMixin, forms.ModelForm):
    """A branch enters its project for the year; progress comes later, on the edit page."""

    class Meta:
        model = BranchProject
        # What raters judge, and nothing else: progress (actual, status) is for the edit page.
        fields = list(BranchProject.RATED_FIELDS)
        widgets = ProjectForm.Meta.widgets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.order_by("code")


class RatingForm(forms.Form):
    """One number per rubric criterion, a comment, and a reason once a rating exists."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you change a rating you have submitted."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, criteria, rating=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            initial = rating.rubric_scores.get(str(criterion.pk)) if rating else None
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                min_value=criterion.min_score,
                max_value=criterion.max_score,
                decimal_places=2,
                initial=initial,
                help_text=" · ".join(
                    [
                        _("%(low)s to %(high)s, weight %(weight)s")
                        % {
                            "low": criterion.min_score,
                            "high": criterion.max_score,
                            "weight": criterion.weight.normalize(),
                        },
                        *(f"{band['low']}–{band['high']}: {band['text']}" for band in criterion.guidance),
                    ]
                ),
            )
        # Scores first, then comment and reason.
        self.order_fields([f"criterion_{criterion.pk}" for criterion in self.criteria])
        if rating is not None:
            self.fields["comment"].initial = rating.comment
            self.fields["version"].initial = rating.version
        else:
            # A first rating carries version 0 ("none existed when I opened the form"), so a rating
            # made meanwhile in another tab is not silently replaced.
            self.fields["version"].initial = 0
            del self.fields["reason"]

    def values(self) -> dict[int, object]:
        return {criterion.pk: self.cleaned_data[f"criterion_{criterion.pk}"] for criterion in self.criteria}

    def submission(self) -> dict:
        """What `services.submit_rating` takes from this form (the rating page and the rating table)."""
        return {
            "values": self.values(),
            "comment": self.cleaned_data["comment"],
            "reason": self.cleaned_data.get("reason", ""),
            "expected_version": self.cleaned_data.get("version") or 0,
        }


class RulesForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once a list has been published."),
    )

    class Meta:
        model = RatingRound
        fields = [
            "aggregation",
            "cut_numerator",
            "cut_denominator",
            "cut_rounding",
            "tie_rule",
            "outstanding_numerator",
            "outstanding_denominator",
            "outstanding_rounding",
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmationForm(forms.Form):
    """An irreversible action: the user ticks that they read what will happen and says why."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the round's history."),
        error_messages={"required": _("Say why; the reason is kept in the history.")},
    )
    confirm = forms.BooleanField(
        label=_("I have read what will happen and confirm it."),
        error_messages={"required": _("Tick the box to confirm: this cannot be undone.")},
    )


class ReopenForm(ConfirmationForm):
    closes_on = forms.DateField(
        label=_("New last day of the window"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to keep the window's dates; ratings are accepted only inside them."),
    )


class OutstandingForm(ConfirmationForm):
    projects = forms.TypedMultipleChoiceField(
        label=_("Outstanding projects"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [
            (entry.project_id, f"{entry.position}. {entry.project.branch.name}: {entry.project.title}")
            for entry in entries
        ]


class NominationForm(forms.Form):
    project = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[("nominate", _("Nominate")), ("withdraw", _("Withdraw"))], required=False, initial="nominate"
    )
    note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class GuidanceForm(forms.Form):
    """A criterion's guidance, one score band a line: "90-100: what such a score means"."""

    guidance = forms.CharField(
        label=_("Guidance per score band"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('One band a line, e.g. "90-100: concrete measures, clear results".'),
    )

    def __init__(self, *args, criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.fields["guidance"].label = criterion.name
        self.fields["guidance"].initial = "\n".join(
            f"{band['low']}-{band['high']}: {band['text']}" for band in criterion.guidance
        )

    def clean_guidance(self) -> list[dict]:
        bands = []
        for number, line in enumerate(self.cleaned_data["guidance"].splitlines(), start=1):
            if not line.strip():
                continue
            scores, separator, text = line.replace("：", ":").partition(":")
            low, dash, high = scores.strip().partition("-")
            if not (separator and dash and low.strip().isdigit() and high.strip().isdigit() and text.strip()):
                raise forms.ValidationError(
                    _('Line %(line)s: write a band as "low-high: meaning", e.g. "90-100: clear results".')
                    % {"line": number}
                )
            bands.append({"low": int(low), "high": int(high), "text": text.strip()})
        return bands


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you have a conflict of interest"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why you have a conflict of interest; the reason is kept.")},
    )


class BalanceForm(forms.Form):
    """The balanced assignment's parameters: how many reviewers per project, how many projects at most
    per reviewer."""

    per_project = forms.IntegerField(
        label=_("Reviewers per project"),
        min_value=1,
        max_value=20,
        initial=2,
        error_messages={"required": _("Say how many reviewers rate each project.")},
    )
    cap = forms.IntegerField(
        label=_("At most projects per reviewer"),
        min_value=1,
        max_value=1_000_000,
        initial=30,
        help_text=_(
            "Projects times reviewers per project, divided by the reviewers, is the least that works."
        ),
        error_messages={"required": _("Say how many projects a reviewer rates at most.")},
    )


class DiscussionPostForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write something to post.")},
    )
