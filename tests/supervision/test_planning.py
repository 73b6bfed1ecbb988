"""The automatic plan engine (supervision.planning): pure, so these tests need no database."""

import datetime
from collections import Counter

from supervision.planning import BranchToPlan, Visitor, propose, working_days

MONDAY = datetime.date(2026, 11, 30)
DAYS = working_days(MONDAY, MONDAY + datetime.timedelta(weeks=8, days=-1))
COMPANY, CITY, COUNTY, STATION = "0001", "00010001", "00010002", "000100020001"


def branches(unit_path, count, start=0):
    return [
        BranchToPlan(id=start + i, unit_path=unit_path, code=f"{unit_path}-{i:03d}") for i in range(count)
    ]


def test_working_days_skip_weekends_and_blocked_days():
    blocked = {MONDAY + datetime.timedelta(days=2)}
    days = working_days(MONDAY, MONDAY + datetime.timedelta(days=13), blocked=blocked)
    assert len(days) == 9
    assert all(day.weekday() < 5 for day in days) and not blocked & set(days)


def test_balanced_within_one_visit_per_person_when_everyone_may_take_everything():
    plan = propose(
        branches=branches(CITY, 23), visitors=[Visitor(i, COMPANY) for i in range(1, 6)], days=DAYS
    )
    loads = plan.load_by_visitor()
    assert sum(loads.values()) == 23 and max(loads.values()) - min(loads.values()) <= 1


def test_local_staff_keep_their_units_branches_and_the_company_takes_the_rest():
    # 10 city and 10 county branches; one city visitor, one county visitor, one company visitor.
    plan = propose(
        branches=branches(CITY, 10) + branches(COUNTY, 10, start=100),
        visitors=[Visitor(1, COMPANY), Visitor(2, CITY), Visitor(3, COUNTY)],
        days=DAYS,
    )
    loads = plan.load_by_visitor()
    assert sorted(loads.values()) == [6, 7, 7]
    by_visitor = {p.branch_id: p.visitor_id for p in plan.proposals}
    assert all(by_visitor[b] in (1, 2) for b in range(10))
    assert all(by_visitor[b] in (1, 3) for b in range(100, 110))


def test_a_deep_visitor_with_many_branches_is_relieved_by_the_company():
    # Three station-level... 3 units x 3 branches, one visitor each, plus one company visitor: 2/2/2/3.
    units = [f"0001000{n}" for n in (1, 2, 3)]
    plan = propose(
        branches=[b for n, unit in enumerate(units) for b in branches(unit, 3, start=10 * n)],
        visitors=[Visitor(1, COMPANY)] + [Visitor(2 + n, unit) for n, unit in enumerate(units)],
        days=DAYS,
    )
    assert sorted(plan.load_by_visitor().values()) == [2, 2, 2, 3]


def test_scope_is_respected_and_branches_nobody_may_visit_are_reported():
    plan = propose(
        branches=branches(STATION, 4) + branches(CITY, 3, start=10),
        visitors=[Visitor(1, COUNTY), Visitor(2, STATION)],
        days=DAYS,
    )
    assert sorted(plan.unassigned) == [10, 11, 12]
    assert {p.branch_id for p in plan.proposals} == {0, 1, 2, 3}
    assert Counter(p.visitor_id for p in plan.proposals) == {1: 2, 2: 2}


def test_existing_plans_count_towards_the_balance():
    plan = propose(
        branches=branches(CITY, 6), visitors=[Visitor(1, COMPANY, load=6), Visitor(2, COMPANY)], days=DAYS
    )
    assert plan.load_by_visitor() == {2: 6}


def test_blocked_days_and_weekends_are_never_planned_and_visits_spread_over_the_weeks():
    blocked = {MONDAY + datetime.timedelta(days=d) for d in (0, 1, 2, 3, 4, 14)}  # a whole week, and a Monday
    days = working_days(MONDAY, MONDAY + datetime.timedelta(weeks=4, days=-1), blocked=blocked)
    plan = propose(branches=branches(CITY, 12), visitors=[Visitor(1, CITY)], days=days)
    used = [p.day for p in plan.proposals]
    assert not set(used) & blocked and all(day.weekday() < 5 for day in used)
    weeks = Counter(day.isocalendar()[1] for day in used)
    assert sorted(weeks.values()) == [4, 4, 4]  # three weeks left, four visits each


def test_the_same_state_gives_the_same_plan():
    kwargs = {
        "branches": branches(CITY, 30) + branches(STATION, 20, start=100),
        "visitors": [Visitor(1, COMPANY), Visitor(2, CITY), Visitor(3, COUNTY), Visitor(4, STATION)],
        "days": DAYS,
    }
    assert propose(**kwargs) == propose(**kwargs)
    # Given in another order, the plan is still the same.
    reordered = {
        **kwargs,
        "branches": list(reversed(kwargs["branches"])),
        "visitors": kwargs["visitors"][::-1],
    }
    assert propose(**reordered).proposals == propose(**kwargs).proposals


def test_nothing_to_plan_and_no_day_left():
    assert propose(branches=[], visitors=[Visitor(1, COMPANY)], days=DAYS).proposals == []
    assert propose(branches=branches(CITY, 2), visitors=[Visitor(1, COMPANY)], days=[]).proposals == []
