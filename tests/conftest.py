"""Fixtures shared by every app's tests: a small org chart with one user per role."""

import copy
import io
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from branchtrack.celery import app as celery_app
from org.models import Branch, Department, Role, Unit, User
from tests.factories import TEST_PASSWORD, BranchFactory, DepartmentFactory, UnitFactory, UserFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # On SQLite (the demo's database) the test database is a file, as the demo's is: an in-memory
    # database shared between threads locks tables, not the file, and would hide how two
    # simultaneous requests meet on the demo. In RAM (/dev/shm) where there is one, for speed.
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="branchtrack-test-", dir=shm if shm.is_dir() else None))
    database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    # The tests reading the demo run last, together: the demo stays loaded from the first of them
    # to the end of the session (see `demo`), and no other test may see it.
    items[:] = [item for item in items if "demo" not in item.fixturenames] + [
        item for item in items if "demo" in item.fixturenames
    ]
    # Tests that need PostgreSQL by design (COPY, its planner, its locks) say so with @pytest.mark.postgres;
    # on another database they are skipped with the reason, never silently dropped.
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL (marked postgres); this run uses {engine}")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _demo_loaded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    # In a transaction that stays open until the session ends: each test's own changes roll back
    # to the demo (the test's transaction is a savepoint inside this one), and the demo itself
    # rolls back at the end, so no test outside the group ever sees it. Its export file (the
    # notifications demo's) goes to a throw-away folder, never into the working tree.
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        call_command("load_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_loaded_once, db):
    """The reference scenario (`manage.py load_demo`), built once per session for tests that read it.

    A test may write (its changes roll back), but never commit: no transaction=True, no live server.
    """


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_tasks_in_process():
    # Tests see a task's effect right away; the broker-failure tests switch this off themselves.
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    # The cache is Redis, which outlives a test and a run: each test gets its own key prefix, so
    # no cached page or roll-up marker of another test (or of yesterday's run) is seen.
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = uuid.uuid4().hex
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _own_import_staging(settings, tmp_path):
    # Import files waiting for their confirmation go to the test's own folder, not the checkout.
    settings.IMPORT_STAGING_DIR = tmp_path / "import-staging"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for production, not for a suite that logs in hundreds of times.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@dataclass
class Org:
    company: Unit
    city: Unit
    county: Unit
    station: Unit  # a child of county
    city_branch: Branch
    county_branch: Branch
    station_branch: Branch
    department: Department
    admin: User
    unit_admin: User  # admin of county
    staff: User  # company-level staff
    unit_staff: User  # staff of county (sees county and station)
    reviewer: User  # department reviewer, home unit city
    secretary: User  # secretary of city_branch


@pytest.fixture
def org(db) -> Org:
    company = UnitFactory(code="C", name="测试公司", kind=Unit.Kind.COMPANY)
    city = UnitFactory(parent=company, code="C-CITY", name="城区公司", kind=Unit.Kind.CITY)
    county = UnitFactory(parent=company, code="C-CTY", name="县公司", kind=Unit.Kind.COUNTY)
    station = UnitFactory(parent=county, code="C-CTY-S", name="供电所", kind=Unit.Kind.STATION)
    city_branch = BranchFactory(unit=city, code="B-CITY", name="城区党支部")
    county_branch = BranchFactory(unit=county, code="B-CTY", name="县公司党支部")
    station_branch = BranchFactory(unit=station, code="B-STN", name="供电所党支部")
    department = DepartmentFactory(code="D-OPS", name="运维检修部")
    return Org(
        company=company,
        city=city,
        county=county,
        station=station,
        city_branch=city_branch,
        county_branch=county_branch,
        station_branch=station_branch,
        department=department,
        admin=UserFactory(username="t-admin", role=Role.ADMIN, unit=company, is_staff=True),
        unit_admin=UserFactory(username="t-unitadmin", role=Role.ADMIN, unit=county),
        staff=UserFactory(username="t-staff", role=Role.STAFF, unit=company),
        unit_staff=UserFactory(username="t-unitstaff", role=Role.STAFF, unit=county),
        reviewer=UserFactory(username="t-reviewer", role=Role.REVIEWER, unit=city, department=department),
        secretary=UserFactory(username="t-secretary", role=Role.SECRETARY, unit=city, branch=city_branch),
    )


@pytest.fixture
def login(client):
    """login(user) -> the test client, logged in as that user through the real login form."""

    def _login(user):
        response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code == 302, "login failed"
        return client

    return _login
