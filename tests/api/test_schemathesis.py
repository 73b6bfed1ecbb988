"""schemathesis against the live schema (/api/schema/, served by the app under test).

Every documented operation is called with generated input as a company administrator with a
read-write token: no 5xx, every status and body as documented. The same call without credentials
answers 401 and no data; aimed as an out-of-scope user at an object they may not see, 403/404 and
no data.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services
from tests.api.world import build_api_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The schema is fetched from the app itself (its view reads no table), once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def in_process_app():
    # As Django's test client does: a request must not close the connection that holds the test's
    # transaction (the app runs in-process, on the test database).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(org, settings, in_process_app):
    settings.API_RATE_LIMIT = "100000/minute"
    api_world = build_api_world(org)
    _t, admin = services.create_personal_token(user=org.admin, name="st", access="write")
    # The city branch's secretary: every county object is outside their scope.
    _t, outsider = services.create_personal_token(user=org.secretary, name="st", access="write")
    return api_world, {"Authorization": f"Bearer {admin}"}, {"Authorization": f"Bearer {outsider}"}


def _endpoint(path: str) -> str:
    return path.removeprefix("/api/v1/").split("/")[0]


def _assert_no_data(response):
    assert response.status_code in (401, 403, 404, 405), (response.status_code, response.text[:300])
    assert set(response.json()) == {"errors"}


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation(case, callers):
    api_world, admin, outsider = callers
    response = case.call(headers=admin)
    case.validate_response(response, checks=CHECKS)

    _assert_no_data(case.call(headers={"Authorization": ""}))

    foreign = api_world.objects.get(_endpoint(case.path), {}).get("county")
    if foreign is not None and "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = foreign.pk
        _assert_no_data(case.call(headers=outsider))
