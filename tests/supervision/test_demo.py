"""The demo's 2020 campaign: exactly 213 of 305 branches visited, and the roll-up reproduces it."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from supervision import demo as supervision_demo
from supervision import forecast
from supervision.models import (
    Campaign,
    ChecklistItem,
    CoverageSnapshot,
    Feedback,
    Finding,
    MeetingAttendance,
    PlannedVisit,
    Visit,
)


def test_the_demo_campaign_reaches_213_of_305_branches_and_the_roll_up_reproduces_it(demo):
    visits = Visit.objects.count()
    supervision_demo.load()  # again: idempotent
    assert Visit.objects.count() == visits
    campaign = Campaign.objects.get(name=supervision_demo.CAMPAIGN_NAME)

    completed = Visit.objects.filter(campaign=campaign, status=Visit.Status.COMPLETED)
    assert completed.values("branch").distinct().count() == 213
    repeats = completed.values("branch").annotate(n=Count("pk")).filter(n__gt=1).count()
    assert repeats > 0
    drafts = Visit.objects.filter(campaign=campaign, status=Visit.Status.DRAFT)
    assert drafts.exists() and not drafts.filter(branch__in=completed.values("branch")).exists()

    out = StringIO()
    call_command("rollup_coverage", "--campaign", str(campaign.pk), stdout=out)
    assert "213/305" in out.getvalue() and "69.8%" in out.getvalue()

    totals = CoverageSnapshot.objects.filter(campaign=campaign, unit=None).order_by("day")
    coverage = [total.visited_branches for total in totals]
    assert len(coverage) >= 5 and coverage == sorted(coverage) and coverage[0] < coverage[-1] == 213

    problems = Finding.objects.problems().filter(visit__campaign=campaign)
    assert problems.filter(status=Finding.Status.RESOLVED).exists()
    assert problems.exclude(status=Finding.Status.RESOLVED).exists()
    assert Finding.objects.good_practices().filter(in_catalogue=True).exists()
    assert MeetingAttendance.objects.exists()
    assert Feedback.objects.filter(sent_at__isnull=False).exists()
    template = campaign.template
    assert template.is_example and ChecklistItem.objects.filter(area__template=template).count() == 9


def test_the_demo_adds_a_current_campaign_partly_visited_with_a_plan_for_the_rest(demo):
    plans_before = PlannedVisit.objects.count()
    supervision_demo.load()  # again: idempotent
    assert PlannedVisit.objects.count() == plans_before
    today = timezone.localdate()
    current = Campaign.objects.get(name=supervision_demo.CURRENT_NAME)
    assert current.starts_on < today < current.ends_on
    visited = Visit.objects.filter(campaign=current, status=Visit.Status.COMPLETED)
    assert 0 < visited.count() < 305 and visited.filter(visited_on__gte=today).count() == 0
    plans = PlannedVisit.objects.filter(campaign=current)
    assert plans.filter(status=PlannedVisit.Status.DONE).count() == visited.count()
    assert plans.filter(status=PlannedVisit.Status.MISSED).exists()
    # Every branch is visited or planned: the plan projects 100%.
    projection = forecast.forecast_for(campaign=current, unit=None, as_of=today)
    assert projection.by_plan == projection.active == 305 and projection.unplanned == 0
    assert not plans.filter(status=PlannedVisit.Status.PLANNED, due_on__lt=today).exists()
    blocked = set(current.blocked_days.values_list("day", flat=True))
    assert blocked and not plans.filter(status=PlannedVisit.Status.PLANNED, planned_on__in=blocked).exists()
    # The reference year is untouched: 213 of 305, and its forecast as it stood on 1 June 2020.
    reference = Campaign.objects.get(name=supervision_demo.CAMPAIGN_NAME)
    assert (
        Visit.objects.filter(campaign=reference, status=Visit.Status.COMPLETED)
        .values("branch")
        .distinct()
        .count()
        == 213
    )
    june = forecast.forecast_for(campaign=reference, unit=None, as_of=datetime.date(2020, 6, 1))
    assert 0 < june.visited < 213 and june.by_rate_percent is not None
