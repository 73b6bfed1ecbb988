"""`python -m bench plan`: the visit plan's goals at State Grid size (issue 16).

1. The automatic plan (`supervision.planning.propose`, pure) for 15,000 unvisited branches and 2,000
   visitors in a 2,000-unit tree: seconds, and how balanced (max - min visits per visitor among
   visitors whose scope holds at least as many branches as the fair share).
2. The forecast (`supervision.forecast`) of the generated campaign for its 2,000 units, with a plan
   for 15,000 of its unvisited branches inserted for the measurement and rolled back after it.
Goal for each: under 5 s. The calendar feed's constant query count is a test
(tests/supervision/test_plan_budgets.py), not a figure here.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time

BRANCHES = 15_000
VISITORS = 2_000
UNITS = 2_000
GOAL_SECONDS = 5.0


def _tree(rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """A company, 40 city companies, the rest counties/stations under them (materialized paths)."""
    company = "0001"
    cities = [f"{company}{n:04d}" for n in range(1, 41)]
    leaves = [f"{rng.choice(cities)}{n:04d}" for n in range(1, UNITS - len(cities))]
    return [company], cities, sorted(set(leaves))


def measure_engine(seed: int = 2020, rounds: int = 3) -> dict:
    from supervision import planning

    rng = random.Random(seed)
    top, cities, leaves = _tree(rng)
    branches = [
        planning.BranchToPlan(id=n, unit_path=rng.choice(leaves), code=f"B{n:05d}") for n in range(BRANCHES)
    ]
    # Party-affairs staff sit mostly in the city and county companies, a few at the top.
    paths = top * 100 + [rng.choice(cities) for _ in range(700)] + [rng.choice(leaves) for _ in range(1_200)]
    visitors = [planning.Visitor(id=n, unit_path=path) for n, path in enumerate(paths[:VISITORS])]
    today = datetime.date(2026, 12, 1)
    days = planning.working_days(today, today + datetime.timedelta(weeks=16))
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        plan = planning.propose(branches=branches, visitors=visitors, days=days)
        timings.append(time.perf_counter() - started)
    loads = plan.load_by_visitor()
    counts = [loads.get(v.id, 0) for v in visitors]
    return {
        "seconds": statistics.median(timings),
        "planned": len(plan.proposals),
        "unassigned": len(plan.unassigned),
        "max": max(counts),
        "min": min(counts),
        "top_spread": max(loads.get(v.id, 0) for v in visitors[:100])
        - min(loads.get(v.id, 0) for v in visitors[:100]),
        "days": len(days),
    }


def measure_forecast(rounds: int = 3) -> dict:
    """On the generated database: every unit's forecast, with 15,000 plans in place (rolled back)."""
    from django.db import transaction
    from django.db.models import Exists, OuterRef

    from org.models import Branch, Unit, User
    from supervision import forecast
    from supervision.models import Campaign, PlannedVisit, Visit

    campaign = Campaign.objects.order_by("-starts_on").first()
    as_of = campaign.starts_on + (campaign.ends_on - campaign.starts_on) / 2
    planner = User.objects.order_by("pk").first()
    result = {}

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            visited = Visit.objects.completed().filter(
                campaign=campaign, branch=OuterRef("pk"), visited_on__lte=as_of
            )
            unvisited = list(
                campaign.branches()
                .active()
                .filter(~Exists(visited))
                .order_by("pk")
                .values_list("pk", flat=True)[:BRANCHES]
            )
            days = [as_of + datetime.timedelta(days=n % 90) for n in range(len(unvisited))]
            PlannedVisit.objects.bulk_create(
                [
                    PlannedVisit(
                        campaign=campaign, branch_id=pk, planned_on=day, due_on=day, created_by=planner
                    )
                    for pk, day in zip(unvisited, days, strict=True)
                ],
                batch_size=2_000,
            )
            PlannedVisit.objects.filter(campaign=campaign).update(
                created_at=datetime.datetime.combine(as_of, datetime.time(), tzinfo=datetime.UTC)
                - datetime.timedelta(days=1)
            )
            units = Unit.objects.all()
            timings = []
            for _ in range(rounds):
                started = time.perf_counter()
                rows = forecast.unit_forecasts(campaign=campaign, units=units, as_of=as_of)
                headline = forecast.forecast_for(campaign=campaign, unit=None, as_of=as_of)
                timings.append(time.perf_counter() - started)
            result = {
                "seconds": statistics.median(timings),
                "units": len(rows),
                "at_risk": sum(1 for row in rows if row.forecast.at_risk),
                "branches": Branch.objects.count(),
                "plans": len(unvisited),
                "as_of": as_of,
                "headline": headline,
            }
            raise Rollback
    except Rollback:
        pass
    return result


def plan_command(*, seed: int, rounds: int) -> int:
    engine = measure_engine(seed=seed, rounds=rounds)
    print("| figure | value | goal | met |")
    print("|---|---|---|---|")
    print(
        f"| automatic plan: {BRANCHES:,} branches, {VISITORS:,} visitors, {UNITS:,} units, {engine['days']} working days "
        f"| {engine['seconds']:.2f} s (median of {rounds}); {engine['planned']:,} planned, {engine['unassigned']:,} with no visitor in scope; "
        f"visits per visitor {engine['min']}-{engine['max']}, company-level visitors within {engine['top_spread']} "
        f"| < {GOAL_SECONDS:.0f} s | {'yes' if engine['seconds'] < GOAL_SECONDS else 'NO'} |"
    )
    fc = measure_forecast(rounds=rounds)
    if not fc:
        print("| forecast | no campaign in the database: run `python -m bench generate` first | | |")
        return 1
    h = fc["headline"]
    print(
        f"| forecast: {fc['units']:,} units, {fc['branches']:,} branches, {fc['plans']:,} plans, as of {fc['as_of']:%Y-%m-%d} "
        f"| {fc['seconds']:.2f} s (median of {rounds}); company {h.coverage_percent}% now, {h.by_plan_percent}% by the plan, "
        f"{h.by_rate_percent}% at the rate; {fc['at_risk']:,} units at risk "
        f"| < {GOAL_SECONDS:.0f} s | {'yes' if fc['seconds'] < GOAL_SECONDS else 'NO'} |"
    )
    return 0
