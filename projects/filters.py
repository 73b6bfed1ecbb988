import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from org.models import Department, Unit, User
from org.unit_filter import UnitSubtreeFilter
from projects.models import BranchProject, DeclaredConflict, Rating, RatingRound


def _unit_choices(user):
    # Reviewers have no unit scope; their list is narrowed by department, so offer every unit.
    return Unit.objects.visible_to(user) if getattr(user, "role", None) != "reviewer" else Unit.objects.all()


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(label=_("Year"))
    unit = UnitSubtreeFilter(method="in_unit_subtree")
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.order_by("code"), field_name="departments"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BranchProject.Status.choices)
    on_tracking_list = django_filters.BooleanFilter(label=_("On the tracking list"))
    outstanding = django_filters.BooleanFilter(label=_("Outstanding"), field_name="is_outstanding")
    revised = django_filters.BooleanFilter(label=_("Revised"), field_name="is_revised")
    material = django_filters.BooleanFilter(label=_("Materially revised"), method="materially_revised")
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("branch__code", "branch"),
            ("title", "title"),
            ("branch__unit__path", "unit"),
            ("frozen_rank", "rank"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "branch__code": _("Branch code"),
            "title": _("Project"),
            "branch__unit__path": _("Unit"),
            "frozen_rank": _("Rank"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = BranchProject
        fields = ["q", "year", "unit", "department", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value)
            | Q(central_item__icontains=value)
            | Q(indicator_name__icontains=value)
            | Q(branch__name__icontains=value)
            | Q(branch__code__icontains=value)
        )

    def in_unit_subtree(self, queryset, name, unit):
        return queryset.filter(branch__unit__path__startswith=unit.path)

    def materially_revised(self, queryset, name, value):
        materially = queryset.materially_revised()
        return materially if value else queryset.exclude(pk__in=materially.values("pk"))


class RatingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=RatingRound.objects.all())
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.order_by("code")
    )
    unit = UnitSubtreeFilter(method="in_unit_subtree")
    needs_review = django_filters.BooleanFilter(label=_("Needs review"))
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("project__branch__code", "branch"), ("score", "score"), ("updated_at", "updated")),
        field_labels={
            "project__branch__code": _("Branch code"),
            "score": _("Score"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Rating
        fields = ["q", "round", "department", "unit", "needs_review"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = _unit_choices(user)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(project__title__icontains=value)
            | Q(project__branch__name__icontains=value)
            | Q(project__branch__code__icontains=value)
            | Q(comment__icontains=value)
        )

    def in_unit_subtree(self, queryset, name, unit):
        return queryset.filter(project__branch__unit__path__startswith=unit.path)


class ConflictFilterSet(django_filters.FilterSet):
    round = django_filters.ModelChoiceFilter(label=_("Round"), queryset=RatingRound.objects.order_by("-year"))
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.order_by("code")
    )
    needs_reassignment = django_filters.BooleanFilter(label=_("Needs reassignment"))

    class Meta:
        model = DeclaredConflict
        fields = ["round", "department", "needs_reassignment"]


class ReviewerProgressFilterSet(django_filters.FilterSet):
    """The progress page's reviewers: by department, or only those with work left."""

    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.order_by("code")
    )
    behind = django_filters.BooleanFilter(label=_("Still rating"), method="still_rating")

    class Meta:
        model = User
        fields = ["department"]

    def still_rating(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(rated__lt=F("assigned")) if value else queryset.filter(rated=F("assigned"))
