"""The balanced assignment engine: caps, the minimum per project, conflicts, own-unit rule, stability."""

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from projects.assignment import ProjectSlot, ReviewerSlot, allowed, balance

UNITS = ["/A", "/A/1", "/A/2", "/B", "/B/1", "/C"]


@st.composite
def worlds(draw):
    departments = draw(st.integers(1, 3))
    reviewers = [
        ReviewerSlot(
            id=index,
            unit_path=draw(st.sampled_from(UNITS)),
            branch_id=None,
            department_id=draw(st.integers(0, departments - 1)),
        )
        for index in range(draw(st.integers(1, 12)))
    ]
    projects = [
        ProjectSlot(
            id=1000 + index,
            unit_path=draw(st.sampled_from(UNITS)) + "/x",
            branch_id=index,
            departments=frozenset(draw(st.sets(st.integers(0, departments - 1), max_size=2))),
        )
        for index in range(draw(st.integers(0, 25)))
    ]
    declared = draw(
        st.sets(
            st.tuples(
                st.sampled_from([p.id for p in projects] or [0]), st.sampled_from([r.id for r in reviewers])
            )
        )
    )
    return projects, reviewers, declared, draw(st.integers(1, 4)), draw(st.integers(1, 8))


def check(plan, projects, reviewers, declared, per_project, cap):
    by_id = {reviewer.id: reviewer for reviewer in reviewers}
    load = plan.load()
    assert all(count <= cap for count in load.values())
    for project in projects:
        chosen = plan.assignments[project.id]
        assert len(chosen) == len(set(chosen)) <= per_project
        assert all(allowed(project, by_id[reviewer], declared) for reviewer in chosen)
        # Short only when no allowed reviewer with room was left out.
        if len(chosen) < per_project:
            assert plan.short[project.id] == per_project - len(chosen)
            assert all(
                reviewer.id in chosen or load[reviewer.id] >= cap or not allowed(project, reviewer, declared)
                for reviewer in reviewers
            )


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_caps_minimum_conflicts_and_own_unit_hold(world):
    projects, reviewers, declared, per_project, cap = world
    plan = balance(
        projects=projects, reviewers=reviewers, per_project=per_project, cap=cap, declared=declared
    )
    check(plan, projects, reviewers, declared, per_project, cap)


@settings(max_examples=150, deadline=None)
@given(worlds(), st.data())
def test_a_rerun_keeps_every_assignment_still_allowed(world, data):
    projects, reviewers, declared, per_project, cap = world
    first = balance(projects=projects, reviewers=reviewers, per_project=per_project, cap=cap)
    # Nothing changed: nothing moves.
    again = balance(
        projects=projects, reviewers=reviewers, per_project=per_project, cap=cap, current=first.assignments
    )
    assert {p: set(r) for p, r in again.assignments.items()} == {
        p: set(r) for p, r in first.assignments.items()
    }
    assert (again.added, again.removed) == (0, 0)
    # New declared conflicts: only the assignments they forbid go, every other one stays.
    rerun = balance(
        projects=projects,
        reviewers=reviewers,
        per_project=per_project,
        cap=cap,
        current=first.assignments,
        declared=declared,
    )
    check(rerun, projects, reviewers, declared, per_project, cap)
    forbidden = sum(
        1 for project_id, chosen in first.assignments.items() for r in chosen if (project_id, r) in declared
    )
    assert rerun.removed == forbidden
    for project_id, chosen in first.assignments.items():
        assert {r for r in chosen if (project_id, r) not in declared} <= set(rerun.assignments[project_id])


def test_reviewers_of_the_projects_department_come_first_and_load_is_even():
    reviewers = [ReviewerSlot(id=i, unit_path="/R", branch_id=None, department_id=i % 2) for i in range(4)]
    projects = [
        ProjectSlot(id=10 + i, unit_path="/P/x", branch_id=i, departments=frozenset({0})) for i in range(4)
    ]
    plan = balance(projects=projects, reviewers=reviewers, per_project=1, cap=10)
    assert {r for chosen in plan.assignments.values() for r in chosen} == {0, 2}
    assert sorted(plan.load().values()) == [2, 2]


def test_fifty_thousand_projects_to_two_thousand_reviewers_in_under_thirty_seconds():
    units = [f"/U{u:03d}" for u in range(300)]
    reviewers = [
        ReviewerSlot(id=i, unit_path=units[i % 300], branch_id=None, department_id=i % 12)
        for i in range(2000)
    ]
    projects = [
        ProjectSlot(id=i, unit_path=units[(i * 7) % 300] + "/b", branch_id=i, departments=frozenset({i % 12}))
        for i in range(50_000)
    ]
    started = time.perf_counter()
    plan = balance(projects=projects, reviewers=reviewers, per_project=4, cap=110)
    elapsed = time.perf_counter() - started
    assert not plan.short and max(plan.load().values()) <= 110
    assert elapsed < 30, elapsed
