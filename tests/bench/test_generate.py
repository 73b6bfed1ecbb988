"""The generator writes the counts a scale asks for, a valid unit tree, and the same rows for the same seed."""

import hashlib

import pytest
from django.apps import apps
from django.db import connection

from bench.generate import generate
from bench.scale import ITEMS_PER_VISIT, TARGET_BRANCHES, TARGET_UNITS, parse_scale
from org.models import Branch, Unit

SMALL = "0.2"  # 61 branches


def _digest() -> str:
    """A fingerprint of every generated row of every model (all columns, in id order)."""
    digest = hashlib.sha256()
    for label in sorted(_generated_labels()):
        model = apps.get_model(label)
        names = [field.attname for field in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*names):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _generated_labels() -> list[str]:
    return [
        "branchtrack.Unit",
        "branchtrack.Branch",
        "branchtrack.Department",
        "branchtrack.User",
        "supervision.Visit",
        "supervision.VisitScore",
        "supervision.Finding",
        "projects.BranchProject",
        "projects.Rating",
        "pairings.Pairing",
        "pairings.PairingActivity",
    ]


def _wipe() -> None:
    # Deferred foreign-key checks run now (so a wrong generated id fails here), then the tables empty.
    app_labels = ("branchtrack", "supervision", "projects", "pairings", "assessment")
    tables = [
        model._meta.db_table
        for label in app_labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_the_target_scale_is_state_grid_size():
    sizes = parse_scale("target")
    assert (sizes.branches, sizes.units) == (TARGET_BRANCHES, TARGET_UNITS) == (50_000, 2_000)
    assert (sizes.visits, sizes.visit_scores) == (500_000, 4_500_000)
    assert (sizes.projects, sizes.ratings, sizes.pairings, sizes.activities) == (
        50_000,
        200_000,
        20_000,
        100_000,
    )


@pytest.mark.postgres  # the generator writes with COPY, as at State Grid size
@pytest.mark.django_db
def test_the_counts_are_what_the_scale_asks_for():
    sizes = parse_scale(SMALL)
    result = generate(sizes=sizes, seed=7)

    assert result.skipped == []
    assert Branch.objects.count() == sizes.branches == 61
    assert Unit.objects.count() == sizes.units
    assert apps.get_model("supervision.Visit").objects.count() == sizes.visits == 610
    assert apps.get_model("supervision.VisitScore").objects.count() == sizes.visits * ITEMS_PER_VISIT
    assert apps.get_model("projects.BranchProject").objects.count() == sizes.projects
    assert apps.get_model("projects.Rating").objects.count() == sizes.ratings == 244
    assert apps.get_model("pairings.Pairing").objects.count() == sizes.pairings == 24
    assert apps.get_model("pairings.PairingActivity").objects.count() == sizes.activities == 120
    _wipe()


@pytest.mark.postgres  # the generator writes with COPY, as at State Grid size
@pytest.mark.django_db
def test_the_reference_scale_is_the_demo_organisation():
    generate(sizes=parse_scale("1"), seed=1)

    assert Branch.objects.count() == 305
    assert Unit.objects.count() == 17
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    qinghe = Unit.objects.get(code="U04")
    assert [u.code for u in Unit.objects.get_children(qinghe)] == ["U0401", "U0402"]
    assert Branch.objects.in_subtree(qinghe).count() == 14 + 7 + 6
    _wipe()


@pytest.mark.postgres  # the generator writes with COPY, as at State Grid size
@pytest.mark.django_db
def test_the_unit_tree_is_what_treebeard_would_have_built():
    generate(sizes=parse_scale("4"), seed=3)  # 1,220 branches in 49 units, three levels

    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert sorted(set(Unit.objects.values_list("depth", flat=True))) == [1, 2, 3]
    root = Unit.objects.get_root_nodes().get()
    assert Unit.objects.get_descendants(root).count() == Unit.objects.count() - 1
    # A unit the app adds later lands below the generated ones, in code order.
    child = Unit.objects.get_children(root).last()
    added = Unit.objects.add_child(child, {"code": child.code + "999", "name": "新单位"})
    assert added.path.startswith(child.path) and Unit.objects.get_parent(added) == child
    _wipe()


@pytest.mark.postgres  # the generator writes with COPY, as at State Grid size
@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not():
    sizes = parse_scale(SMALL)
    generate(sizes=sizes, seed=11)
    first = _digest()
    _wipe()
    generate(sizes=sizes, seed=11)
    again = _digest()
    _wipe()
    generate(sizes=sizes, seed=12)
    other = _digest()
    _wipe()

    assert first == again
    assert other != first
