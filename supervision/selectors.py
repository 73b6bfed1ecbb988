"""Reads of the supervision app, scoped through `org.permissions`.

Per-branch results of a campaign (the year-end figures) are `supervision.year_end`'s.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from branchtrack.web.replica import heavy_read_alias
from org.models import Branch, Role, Unit, User
from org.permissions import EVERYTHING, unit_scope_path
from supervision import planning
from supervision.models import (
    Campaign,
    ChecklistArea,
    ChecklistItem,
    CoverageSnapshot,
    Finding,
    PlannedVisit,
    PlannedVisitor,
    Visit,
    VisitScore,
)

# --- scoped querysets ---------------------------------------------------------------------------


def campaigns_for(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.select_related("template").order_by("-year", "-starts_on")


def visitable_branches(*, user: User, campaign: Campaign) -> QuerySet[Branch]:
    """Active branches of the campaign that the user may log a visit to."""
    return campaign.branches().active().visible_to(user).select_related("unit")


# --- lists --------------------------------------------------------------------------------------


def visit_list(*, user: User) -> QuerySet[Visit]:
    return (
        Visit.objects.visible_to(user)
        .select_related("campaign", "branch__unit", "created_by")
        .annotate(
            problem_count=Count("findings", filter=Q(findings__kind=Finding.Kind.PROBLEM), distinct=True),
        )
        .order_by("-visited_on", "-pk")
    )


def problem_list(*, user: User, today: datetime.date | None = None) -> QuerySet[Finding]:
    return (
        Finding.objects.visible_to(user)
        .problems()
        .with_overdue_flag(today=today)
        .select_related("visit__branch__unit", "visit__campaign", "owner_unit")
        .order_by("-is_overdue", "due_on", "pk")
    )


def good_practice_catalogue() -> QuerySet[Finding]:
    """Promoted good practices: shared with every signed-in user so others can learn from them."""
    return (
        Finding.objects.good_practices()
        .filter(in_catalogue=True)
        .select_related("visit__branch__unit", "visit__campaign")
        .order_by("-visit__visited_on", "-pk")
    )


def escalated_problems_for(user: User) -> QuerySet[Finding]:
    """Overdue problems escalated to this admin's own unit (the unit that owns them)."""
    if not (user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN)) or user.unit_id is None:
        return Finding.objects.none()
    return Finding.objects.overdue().filter(owner_unit_id=user.unit_id, escalated_at__isnull=False)


# --- visit form ---------------------------------------------------------------------------------


def checklist_areas(*, template_id: int) -> list[ChecklistArea]:
    return list(
        ChecklistArea.objects.filter(template_id=template_id)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "pk")))
    )


@dataclass
class PreviousVisit:
    """What a repeat visit shows beside its form: the last completed visit and what is still open."""

    visit: Visit | None
    scores_by_item: dict[int, VisitScore] = field(default_factory=dict)
    open_problems: list[Finding] = field(default_factory=list)
    resolved_unconfirmed: list[Finding] = field(default_factory=list)


def previous_visit(*, branch: Branch, before: Visit | None = None) -> PreviousVisit:
    """The branch's latest completed visit (any campaign) other than `before`, with scores mapped to
    the current items (through `ChecklistItem.previous`), and the branch's open problems."""
    visits = Visit.objects.completed().filter(branch=branch).order_by("-visited_on", "-pk")
    if before is not None and before.pk:
        visits = visits.exclude(pk=before.pk)
    last = visits.first()
    result = PreviousVisit(visit=last)
    if last is not None:
        scores = {score.item_id: score for score in last.scores.all()}
        result.scores_by_item.update(scores)
        # Also key each score under the item that replaces it in the next checklist version.
        successors = ChecklistItem.objects.filter(previous_id__in=scores).values_list("pk", "previous_id")
        for successor_id, previous_id in successors:
            result.scores_by_item.setdefault(successor_id, scores[previous_id])
    problems = (
        Finding.objects.problems().filter(visit__branch=branch).select_related("visit").order_by("due_on")
    )
    for problem in problems:
        if problem.status != Finding.Status.RESOLVED:
            result.open_problems.append(problem)
        elif problem.confirmed_by_visit_id is None:
            result.resolved_unconfirmed.append(problem)
    return result


def weighted_area_scores(
    *, areas: list[ChecklistArea], scores: dict[int, VisitScore]
) -> tuple[dict[int, Decimal], Decimal]:
    """Σ(score × weight) per area of one visit, and their sum: the figures the roll-up averages."""
    by_area = {
        area.pk: sum(
            (scores[item.pk].score * item.weight for item in area.items.all() if item.pk in scores),
            Decimal("0"),
        )
        for area in areas
    }
    return by_area, sum(by_area.values(), Decimal("0"))


def fixes_to_confirm(*, visit: Visit) -> list[Finding]:
    """Problems of earlier visits to the visit's branch, resolved but not yet confirmed on site."""
    return list(
        Finding.objects.problems()
        .filter(
            visit__branch_id=visit.branch_id, status=Finding.Status.RESOLVED, confirmed_by_visit__isnull=True
        )
        .exclude(visit=visit)
        .select_related("visit")
    )


def visit_detail(*, user: User, pk: int, for_change: bool = False) -> Visit:
    """The visit with what its page shows and `editable`; 404 outside the user's scope (or, when
    `for_change`, outside what they may change)."""
    from django.shortcuts import get_object_or_404

    scoped = Visit.objects.editable_by(user) if for_change else Visit.objects.visible_to(user)
    return get_object_or_404(
        scoped.select_related("campaign", "template", "branch__unit", "created_by").with_editable(user),
        pk=pk,
    )


# --- dashboard ----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    campaign: Campaign
    day: datetime.date | None
    headline: CoverageSnapshot | None
    areas: list[tuple[str, str]]  # (code, name)
    trend: list[CoverageSnapshot]


def headline_unit(*, user: User) -> Unit | None:
    """Whose figures head the dashboard: None (the campaign total) for company-wide users, else the
    user's own unit with its sub-units, so a unit's staff never see company aggregates as theirs."""
    if unit_scope_path(user) == EVERYTHING:
        return None
    return user.unit


@dataclass(frozen=True)
class SnapshotVersion:
    """The latest day the campaign's snapshots cover, and when any of them was last written: a
    roll-up changes one or the other, so together they key what is drawn from the snapshots."""

    day: datetime.date | None
    computed_at: datetime.datetime | None


def snapshot_version(*, campaign: Campaign) -> SnapshotVersion:
    # Every roll-up writes the campaign total with the same time as its unit rows, so the total rows
    # (one a day, found by their partial unique index) carry the version of them all.
    # From where the dashboard then reads the snapshots (a replica, if any), so the key names what it shows.
    totals = CoverageSnapshot.objects.using(heavy_read_alias()).filter(campaign=campaign, unit__isnull=True)
    return SnapshotVersion(**totals.aggregate(day=Max("day"), computed_at=Max("computed_at")))


def dashboard(*, user: User, campaign: Campaign, day: datetime.date | None) -> Dashboard:
    """Headline figures, areas and trend for the user's scope up to `day`, all read from snapshots."""
    unit = headline_unit(user=user)
    database = heavy_read_alias()  # a replica when there is one (branchtrack/web/replica.py)
    series = CoverageSnapshot.objects.using(database).filter(campaign=campaign).order_by("day")
    series = series.filter(unit__isnull=True) if unit is None else series.filter(unit=unit)
    trend = list(series)
    headline = trend[-1] if trend and trend[-1].day == day else None
    areas = list(
        ChecklistArea.objects.using(database)
        .filter(template_id=campaign.template_id)
        .order_by("order")
        .values_list("code", "name")
    )
    return Dashboard(campaign=campaign, day=day, headline=headline, areas=areas, trend=trend)


def unit_snapshots(
    *, user: User, campaign: Campaign, day: datetime.date | None
) -> QuerySet[CoverageSnapshot]:
    coverage = Cast("visited_branches", FloatField()) / NullIf(Cast("active_branches", FloatField()), 0.0)
    return (
        CoverageSnapshot.objects.using(heavy_read_alias())
        .filter(campaign=campaign, day=day, unit__in=Unit.objects.visible_to(user))
        .select_related("unit")
        .annotate(coverage_value=coverage)
        .order_by("unit__path")
    )


def unvisited_branches(*, user: User, campaign: Campaign) -> QuerySet[Branch]:
    """Active branches in the user's scope that no completed visit of the campaign reached yet."""
    visited = Visit.objects.completed().filter(campaign=campaign, branch=OuterRef("pk"))
    return (
        visitable_branches(user=user, campaign=campaign)
        .filter(~Exists(visited))
        .order_by("unit__path", "code")
    )


# --- visit plans --------------------------------------------------------------------------------


def plan_list(*, user: User, campaign: Campaign) -> QuerySet[PlannedVisit]:
    return (
        PlannedVisit.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("branch__unit", "created_by", "done_visit")
        .prefetch_related(Prefetch("visitor_links", queryset=PlannedVisitor.objects.select_related("user")))
        .order_by("planned_on", "branch__code", "pk")
    )


def plannable_visitors(*, user: User, unit: Unit | None = None) -> QuerySet[User]:
    """Active party-affairs staff (and administrators) within the planner's scope, or a unit's subtree."""
    visitors = User.objects.filter(is_active=True, role__in=[Role.STAFF, Role.ADMIN], unit__isnull=False)
    visitors = visitors.filter(unit__in=Unit.objects.visible_to(user))
    if unit is not None:
        visitors = visitors.filter(unit__path__startswith=unit.path)
    return visitors.select_related("unit").order_by("unit__path", "last_name", "first_name", "username")


@dataclass
class AutomaticPlan:
    """The engine's proposal for a unit's subtree, with what the preview shows beside it."""

    unit: Unit
    plan: planning.Plan
    branches: dict[int, Branch]
    visitors: dict[int, User]
    start: datetime.date

    @property
    def fingerprint(self) -> str:
        """Names the proposal exactly: saving checks the state still gives this plan."""
        text = ";".join(f"{p.branch_id}:{p.visitor_id}:{p.day.isoformat()}" for p in self.plan.proposals)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def rows(self) -> list[tuple[Branch, User, datetime.date]]:
        return [(self.branches[p.branch_id], self.visitors[p.visitor_id], p.day) for p in self.plan.proposals]

    def loads(self) -> list[tuple[User, int]]:
        loads = self.plan.load_by_visitor()
        return [(visitor, loads.get(pk, 0)) for pk, visitor in self.visitors.items()]


def automatic_plan(
    *,
    user: User,
    campaign: Campaign,
    unit: Unit,
    visitor_ids: list[int] | None = None,
    left_out: list[int] | None = None,
    today: datetime.date | None = None,
) -> AutomaticPlan:
    """Propose a plan for the branches of `unit`'s subtree not visited and not planned yet.

    Visitors are the unit's staff (party-affairs staff in its subtree, or those chosen); their open
    plans in the campaign count towards the balance. Days run from today (or the campaign's start)
    to its end, working days only, without its blocked days. A handful of queries at any size.
    """
    today = today or timezone.localdate()
    open_plans = PlannedVisit.objects.open().filter(campaign=campaign, branch=OuterRef("pk"))
    branches = {
        branch.pk: branch
        for branch in unvisited_branches(user=user, campaign=campaign)
        .filter(unit__path__startswith=unit.path)
        .filter(~Exists(open_plans))
        .exclude(pk__in=left_out or [])
    }
    staff = plannable_visitors(user=user, unit=unit).filter(role=Role.STAFF)
    if visitor_ids is not None:
        staff = plannable_visitors(user=user, unit=unit).filter(pk__in=visitor_ids)
    visitors = {visitor.pk: visitor for visitor in staff}
    loads = dict(
        PlannedVisitor.objects.filter(
            plan__campaign=campaign, plan__status=PlannedVisit.Status.PLANNED, user_id__in=visitors
        )
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    start = max(today, campaign.starts_on)
    days = planning.working_days(
        start, campaign.ends_on, blocked=campaign.blocked_days.values_list("day", flat=True)
    )
    plan = planning.propose(
        branches=[
            planning.BranchToPlan(id=b.pk, unit_path=b.unit.path, code=b.code) for b in branches.values()
        ],
        visitors=[
            planning.Visitor(id=v.pk, unit_path=v.unit.path, load=loads.get(v.pk, 0))
            for v in visitors.values()
        ],
        days=days,
    )
    return AutomaticPlan(unit=unit, plan=plan, branches=branches, visitors=visitors, start=start)


@dataclass
class MyVisits:
    """A visitor's plans by when they fall: the "my visits" page, its home card and its JSON."""

    today: datetime.date
    overdue: list[PlannedVisit]
    due_today: list[PlannedVisit]
    this_week: list[PlannedVisit]
    later: list[PlannedVisit]
    done: list[PlannedVisit]

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.due_today) + len(self.this_week) + len(self.later)

    def as_json(self) -> dict:
        """Plain data (for phones and the offline set): every plan once, with the section it is in."""
        sections = {
            "overdue": self.overdue,
            "today": self.due_today,
            "this_week": self.this_week,
            "later": self.later,
            "done": self.done,
        }
        return {
            "today": self.today.isoformat(),
            "plans": [
                plan_json(plan) | {"section": section}
                for section, plans in sections.items()
                for plan in plans
            ],
        }


def plan_json(plan: PlannedVisit) -> dict:
    return {
        "id": plan.pk,
        "campaign": plan.campaign_id,
        "branch": {"id": plan.branch_id, "code": plan.branch.code, "name": plan.branch.name},
        "unit": plan.branch.unit.name,
        "planned_on": plan.planned_on.isoformat(),
        "whole_week": plan.whole_week,
        "due_on": plan.due_on.isoformat(),
        "status": plan.status,
        "visitors": [link.user.get_full_name() or link.user.username for link in plan.visitor_links.all()],
        "version": plan.version,
    }


MY_DONE_SHOWN = 20


def my_visits(*, user: User, today: datetime.date | None = None) -> MyVisits:
    """The user's planned visits: overdue (missed, or due before today), today, the rest of this week,
    later, and the latest done. Three queries whatever the number of plans."""
    today = today or timezone.localdate()
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    mine = (
        PlannedVisit.objects.for_visitor(user)
        .select_related("branch__unit", "campaign")
        .prefetch_related(Prefetch("visitor_links", queryset=PlannedVisitor.objects.select_related("user")))
    )
    result = MyVisits(today=today, overdue=[], due_today=[], this_week=[], later=[], done=[])
    open_statuses = [PlannedVisit.Status.PLANNED, PlannedVisit.Status.MISSED]
    for plan in mine.filter(
        status__in=open_statuses, campaign__ends_on__gte=today - datetime.timedelta(days=7)
    ).order_by("planned_on", "pk"):
        if plan.status == PlannedVisit.Status.MISSED or plan.due_on < today:
            result.overdue.append(plan)
        elif plan.planned_on <= today:
            result.due_today.append(plan)
        elif plan.planned_on <= week_end:
            result.this_week.append(plan)
        else:
            result.later.append(plan)
    result.done = list(
        mine.filter(status=PlannedVisit.Status.DONE)
        .select_related("done_visit")
        .order_by("-done_visit__visited_on", "-pk")[:MY_DONE_SHOWN]
    )
    return result


def my_visits_badge(user: User) -> str:
    """The home card's line: what is due today and this week, and what is overdue (one query)."""
    from django.utils.translation import gettext as _

    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    counts = (
        PlannedVisit.objects.for_visitor(user)
        .filter(status__in=[PlannedVisit.Status.PLANNED, PlannedVisit.Status.MISSED])
        .aggregate(
            today=Count(
                "pk", filter=Q(status=PlannedVisit.Status.PLANNED, planned_on__lte=today, due_on__gte=today)
            ),
            week=Count(
                "pk",
                filter=Q(status=PlannedVisit.Status.PLANNED, planned_on__gt=today, planned_on__lte=week_end),
            ),
            overdue=Count("pk", filter=Q(status=PlannedVisit.Status.MISSED) | Q(due_on__lt=today)),
        )
    )
    return _("Today %(today)s · later this week %(week)s · overdue %(overdue)s") % counts


def calendar_plans(
    *, user: User, campaign: Campaign, start: datetime.date, end: datetime.date
) -> QuerySet[PlannedVisit]:
    """Plans in the user's scope that fall (any day of their week) between `start` and `end`."""
    return (
        plan_list(user=user, campaign=campaign)
        .filter(due_on__gte=start, planned_on__lte=end)
        .exclude(status=PlannedVisit.Status.CANCELLED)
    )


def feed_plans(*, user: User, today: datetime.date | None = None) -> QuerySet[PlannedVisit]:
    """A visitor's calendar feed: their plans from 60 days back on, cancelled ones included (as such)."""
    today = today or timezone.localdate()
    return (
        PlannedVisit.objects.for_visitor(user)
        .filter(due_on__gte=today - datetime.timedelta(days=60))
        .select_related("branch__unit", "campaign")
        .prefetch_related(Prefetch("visitor_links", queryset=PlannedVisitor.objects.select_related("user")))
        .order_by("planned_on", "pk")
    )


def _plan_count(plans: QuerySet) -> Subquery:
    return Subquery(plans.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])


def unit_plan_progress(
    *, user: User, campaign: Campaign, today: datetime.date | None = None
) -> QuerySet[Unit]:
    """Expected vs done per unit of the user's scope, each with its sub-units: one query a page."""
    today = today or timezone.localdate()
    in_subtree = PlannedVisit.objects.filter(
        campaign=campaign, branch__unit__path__startswith=OuterRef("path")
    )
    statuses = PlannedVisit.Status
    return (
        Unit.objects.visible_to(user)
        .annotate(
            planned=_plan_count(in_subtree.exclude(status=statuses.CANCELLED)),
            due=_plan_count(in_subtree.exclude(status=statuses.CANCELLED).filter(due_on__lt=today)),
            done=_plan_count(in_subtree.filter(status=statuses.DONE)),
            missed=_plan_count(in_subtree.filter(status=statuses.MISSED)),
            open=_plan_count(in_subtree.filter(status=statuses.PLANNED)),
            cancelled=_plan_count(in_subtree.filter(status=statuses.CANCELLED)),
        )
        .order_by("path")
    )


def visitor_plan_progress(
    *, user: User, campaign: Campaign, today: datetime.date | None = None
) -> QuerySet[User]:
    """Expected vs done per visitor in the user's scope: one grouped query."""
    today = today or timezone.localdate()
    statuses = PlannedVisit.Status
    in_campaign = Q(planned_visits__campaign=campaign)
    return plannable_visitors(user=user).annotate(
        planned=Count(
            "planned_visits",
            filter=in_campaign & ~Q(planned_visits__status=statuses.CANCELLED),
            distinct=True,
        ),
        due=Count(
            "planned_visits",
            filter=in_campaign
            & ~Q(planned_visits__status=statuses.CANCELLED)
            & Q(planned_visits__due_on__lt=today),
            distinct=True,
        ),
        done=Count(
            "planned_visits", filter=in_campaign & Q(planned_visits__status=statuses.DONE), distinct=True
        ),
        missed=Count(
            "planned_visits", filter=in_campaign & Q(planned_visits__status=statuses.MISSED), distinct=True
        ),
        open=Count(
            "planned_visits", filter=in_campaign & Q(planned_visits__status=statuses.PLANNED), distinct=True
        ),
        cancelled=Count(
            "planned_visits", filter=in_campaign & Q(planned_visits__status=statuses.CANCELLED), distinct=True
        ),
    )


def open_plan_day(*, campaign: Campaign) -> Subquery:
    """For annotating branches: the day of the branch's open plan in the campaign, if any."""
    return Subquery(
        PlannedVisit.objects.open().filter(campaign=campaign, branch=OuterRef("pk")).values("planned_on")[:1]
    )


def plan_to_log(*, user: User, plan_id: str | None, branch: Branch | None) -> PlannedVisit | None:
    """The plan a "log this visit" link names, if the user sees it and it is of that branch."""
    if not plan_id or not (plan_id.isascii() and plan_id.isdigit()) or branch is None:
        return None
    return (
        PlannedVisit.objects.visible_to(user)
        .filter(pk=plan_id, branch=branch)
        .prefetch_related(Prefetch("visitor_links", queryset=PlannedVisitor.objects.select_related("user")))
        .first()
    )


def plan_version(*, campaign: Campaign) -> tuple:
    """Changes whenever a plan of the campaign is made or changed: keys what the forecast draws."""
    found = PlannedVisit.objects.filter(campaign=campaign).aggregate(n=Count("pk"), at=Max("updated_at"))
    return found["n"], found["at"]


def offline_plan(*, user: User) -> QuerySet[PlannedVisit]:
    """The user's open plans, soonest first, each with the id of its branch's latest completed visit
    (what the phone keeps for the field; one query)."""
    latest = Visit.objects.completed().filter(branch=OuterRef("branch")).order_by("-visited_on", "-pk")
    return (
        PlannedVisit.objects.for_visitor(user)
        .filter(status__in=[PlannedVisit.Status.PLANNED, PlannedVisit.Status.MISSED])
        .annotate(last_visit_id=Subquery(latest.values("pk")[:1]))
        .order_by("planned_on", "pk")
    )


# --- the visit report (PDF) ---------------------------------------------------------------------

REPORT_PHOTOS_MAX = 24  # photos in one report: enough for a visit, bounded for the renderer


@dataclass
class ReportItem:
    text: str
    weight: Decimal
    score: Decimal | None
    remark: str
    previous_score: Decimal | None


@dataclass
class ReportArea:
    name: str
    score: Decimal
    previous_score: Decimal | None
    items: list[ReportItem]


@dataclass
class VisitReport:
    """What the printed visit report shows: scores beside the previous visit's, findings with photos."""

    visit: Visit
    previous: Visit | None
    areas: list[ReportArea]
    total: Decimal
    previous_total: Decimal | None
    findings: list[Finding]
    photos_by_finding: dict[int, list[str]]  # finding id -> downscaled photos as data: URIs
    photos_left_out: int


def visit_report(*, visit: Visit, photo_uri) -> VisitReport:
    """The report of `visit` (already scoped by the caller); `photo_uri(file)` turns a stored photo into
    what the PDF embeds (None when unreadable). The previous visit is the branch's latest completed visit
    before this one, its scores mapped onto this visit's items through `ChecklistItem.previous` and its
    area scores matched by area code (codes stay the same across checklist versions)."""
    areas = checklist_areas(template_id=visit.template_id)
    scores = {score.item_id: score for score in visit.scores.all()}
    area_totals, total = weighted_area_scores(areas=areas, scores=scores)
    previous = (
        Visit.objects.completed()
        .filter(branch_id=visit.branch_id)
        .filter(Q(visited_on__lt=visit.visited_on) | Q(visited_on=visit.visited_on, pk__lt=visit.pk))
        .exclude(pk=visit.pk)
        .order_by("-visited_on", "-pk")
        .first()
    )
    previous_by_item: dict[int, Decimal] = {}
    previous_by_area: dict[str, Decimal] = {}
    previous_total = None
    if previous is not None:
        previous_scores = {score.item_id: score for score in previous.scores.select_related("item__area")}
        for score in previous_scores.values():
            previous_by_item[score.item_id] = score.score
            code = score.item.area.code
            previous_by_area[code] = (
                previous_by_area.get(code, Decimal("0")) + score.score * score.item.weight
            )
        for successor_id, previous_id in ChecklistItem.objects.filter(
            previous_id__in=previous_scores
        ).values_list("pk", "previous_id"):
            previous_by_item.setdefault(successor_id, previous_scores[previous_id].score)
        previous_total = sum(previous_by_area.values(), Decimal("0"))
    report_areas = [
        ReportArea(
            name=area.name,
            score=area_totals[area.pk],
            previous_score=previous_by_area.get(area.code),
            items=[
                ReportItem(
                    text=item.text,
                    weight=item.weight,
                    score=scores[item.pk].score if item.pk in scores else None,
                    remark=scores[item.pk].remark if item.pk in scores else "",
                    previous_score=previous_by_item.get(item.pk),
                )
                for item in area.items.all()
            ],
        )
        for area in areas
    ]
    findings = list(visit.findings.select_related("owner_unit").with_overdue_flag().order_by("kind", "pk"))
    photos_by_finding: dict[int, list[str]] = {}
    photos = list(visit.photos.filter(finding__isnull=False).order_by("finding_id", "pk"))
    for photo in photos[:REPORT_PHOTOS_MAX]:
        uri = photo_uri(photo.file)
        if uri:
            photos_by_finding.setdefault(photo.finding_id, []).append(uri)
    return VisitReport(
        visit=visit,
        previous=previous,
        areas=report_areas,
        total=total,
        previous_total=previous_total,
        findings=findings,
        photos_by_finding=photos_by_finding,
        photos_left_out=max(0, len(photos) - REPORT_PHOTOS_MAX),
    )
