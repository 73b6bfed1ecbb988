"""With PostgreSQL unreachable the app answers a clear bilingual 503 page, not a traceback.

The requests run in a child process whose DATABASE_URL points at a port nobody listens on, so
every query really fails to connect (no mocked database).
"""

import json
import os
import subprocess
import sys
import textwrap

from django.conf import settings

CHILD = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.test import Client

    client = Client(raise_request_exception=False)
    anonymous_login_page = client.get("/accounts/login/")
    login_attempt = client.post("/accounts/login/", {"username": "admin", "password": "x"})
    client.cookies["sessionid"] = "a-session-that-needs-the-database"
    home = client.get("/")
    branches = client.get("/org/branches/", {"q": "x"})
    print(json.dumps({
        name: {
            "status": response.status_code,
            "body": response.content.decode(),
            "retry_after": response.get("Retry-After"),
            "csp": response.get("Content-Security-Policy", ""),
        }
        for name, response in [
            ("anonymous_login_page", anonymous_login_page),
            ("login_attempt", login_attempt),
            ("home", home),
            ("branches", branches),
        ]
    }))
    """
)


def test_an_unreachable_database_answers_a_bilingual_503_page():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "branchtrack.settings",
        # Port 9 (discard) on localhost: connection refused at once.
        "DATABASE_URL": "postgres://postgres:postgres@127.0.0.1:9/branchtrack",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    responses = json.loads(result.stdout.strip().splitlines()[-1])

    # The log-in form itself needs no database and still shows.
    assert responses["anonymous_login_page"]["status"] == 200
    for name in ("login_attempt", "home", "branches"):
        response = responses[name]
        assert response["status"] == 503, (name, response["status"])
        assert "系统暂时无法使用" in response["body"] and "Temporarily unavailable" in response["body"]
        assert "Traceback" not in response["body"] and "OperationalError" not in response["body"]
        assert response["retry_after"] == "30"
        assert "script-src 'self'" in response["csp"]
    assert "Database unavailable while serving /org/branches/" in result.stderr


ERROR_PAGES_CHILD = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.core.exceptions import PermissionDenied, SuspiciousOperation
    from django.db import OperationalError
    from django.test import Client, RequestFactory
    from django.urls import get_resolver
    from django.utils.module_loading import import_string

    signed_in = Client(raise_request_exception=False)
    signed_in.cookies["sessionid"] = "a-session-that-needs-the-database"
    responses = {
        "unknown_url_signed_in": signed_in.get("/no-such-page/"),
        "unknown_url_anonymous": Client(raise_request_exception=False).get("/no-such-page/"),
    }

    def signed_in_request():
        request = RequestFactory().get("/somewhere/")
        request.COOKIES["sessionid"] = "a-session-that-needs-the-database"
        SessionMiddleware(lambda r: None).process_request(request)
        AuthenticationMiddleware(lambda r: None).process_request(request)
        return request

    resolver = get_resolver()
    responses["403_handler"] = resolver.resolve_error_handler(403)(signed_in_request(), PermissionDenied())
    responses["400_handler"] = resolver.resolve_error_handler(400)(signed_in_request(), SuspiciousOperation())
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        # Django calls the 500 handler inside the except block of the error it answers.
        responses["500_handler_for_a_database_error"] = resolver.resolve_error_handler(500)(signed_in_request())
    try:
        raise ValueError("a bug")
    except ValueError:
        responses["500_handler_for_a_bug"] = resolver.resolve_error_handler(500)(signed_in_request())
    print(json.dumps({
        name: {"status": response.status_code, "body": response.content.decode()}
        for name, response in responses.items()
    }))
    """
)


def test_error_pages_answer_503_when_they_would_need_the_unreachable_database():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "branchtrack.settings",
        "DATABASE_URL": "postgres://postgres:postgres@127.0.0.1:9/branchtrack",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", ERROR_PAGES_CHILD],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    responses = json.loads(result.stdout.strip().splitlines()[-1])
    statuses = {name: response["status"] for name, response in responses.items()}
    assert statuses == {
        "unknown_url_signed_in": 503,
        "unknown_url_anonymous": 404,  # nobody to look up: the 404 page needs no database
        "403_handler": 503,
        "400_handler": 400,  # Django's own 400 page reads nothing
        "500_handler_for_a_database_error": 503,
        "500_handler_for_a_bug": 500,
    }
    for name in ("unknown_url_signed_in", "403_handler", "500_handler_for_a_database_error"):
        assert "系统暂时无法使用" in responses[name]["body"], name
    assert "Database unavailable while serving /no-such-page/" in result.stderr
