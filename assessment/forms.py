from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import AssessmentWeights, ExportJob
from assessment.selectors import export_years
from org.models import Unit

FIRST_YEAR = 2015


def default_year(*, configured: list[int]) -> int:
    """The year an admin most likely exports: the latest one with weights set, else the latest known."""
    weighted = AssessmentWeights.objects.order_by("-year").values_list("year", flat=True).first()
    if weighted is not None:
        return weighted
    return configured[0] if configured else timezone.localdate().year - 1


class ExportForm(forms.Form):
    """Year, scope and format of a new export; the view resolves the scope unit inside the user's scope."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    scope = forms.IntegerField(label=_("Scope"), widget=forms.Select)
    format = forms.ChoiceField(
        label=_("Format"), choices=ExportJob.Format.choices, initial=ExportJob.Format.XLSX
    )

    def __init__(self, *args, user, **kwargs):
        # Its own element ids: the page also holds the freeze form and the filters, each with a year.
        kwargs.setdefault("auto_id", "export_%s")
        super().__init__(*args, **kwargs)
        configured = export_years()
        this_year = timezone.localdate().year
        years = sorted({*configured, *range(FIRST_YEAR, this_year + 1)}, reverse=True)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].initial = default_year(configured=configured)
        units = Unit.objects.visible_to(user).only("pk", "name", "depth")
        self.fields["scope"].widget.choices = [
            (unit.pk, "\u3000" * (unit.depth - 1) + unit.name) for unit in units
        ]
        self.fields["scope"].initial = user.unit_id


class FreezeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "freeze_%s")
        super().__init__(*args, **kwargs)
