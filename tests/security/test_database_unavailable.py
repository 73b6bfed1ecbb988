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
