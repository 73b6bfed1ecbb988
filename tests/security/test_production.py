"""The production set-up end to end: collectstatic under the production settings, then gunicorn behind a proxy.

Every vendored file must survive the manifest storage (a reference to a file that is not in the repository,
such as a source map, aborts collectstatic, and without a manifest every page is a 500).
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.security.test_hardening import PRODUCTION_ENV, ROOT, run_manage

HOST = "party.example.com"


def database_url_of_the_test_database() -> str:
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": HOST, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def collected_static(tmp_path) -> Path:
    static_root = tmp_path / "static"
    result = run_manage("collectstatic", "--noinput", env={**PRODUCTION_ENV, "STATIC_ROOT": str(static_root)})
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root


def test_every_vendored_file_refers_only_to_files_in_the_repository():
    # What the manifest storage follows: url(...) in CSS and a sourceMappingURL comment in JS and CSS.
    missing = []
    for path in (ROOT / "static" / "vendor").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for reference in re.findall(r"[#@] sourceMappingURL=(\S+?)(?:\s|\*/|$)", text):
            if not (path.parent / reference).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {reference}")
    assert missing == []


def test_collectstatic_then_gunicorn_serve_pages_and_hashed_static_files(db, collected_static, tmp_path):
    assert (collected_static / "staticfiles.json").exists()
    port = free_loopback_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        **PRODUCTION_ENV,
        "STATIC_ROOT": str(collected_static),
        "DATABASE_URL": database_url_of_the_test_database(),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "branchtrack.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = fetch(port, "/accounts/login/")
                break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        assert status == 200, body.decode(errors="replace")[:2000]
        assert "Strict-Transport-Security" in headers
        stylesheet = re.search(r'href="(/static/css/branchtrack\.[0-9a-f]{12}\.css)"', body.decode())
        assert stylesheet, "the login page links the hashed stylesheet"
        status, headers, css = fetch(port, stylesheet.group(1))
        assert status == 200
        assert b"{" in css
        # Plain HTTP (no proxy header) is sent to HTTPS.
        plain = urllib.request.Request(f"http://127.0.0.1:{port}/accounts/login/", headers={"Host": HOST})
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(plain, timeout=10)
        assert redirect.value.code == 301
        assert redirect.value.headers["Location"] == f"https://{HOST}/accounts/login/"
    finally:
        server.terminate()
        server.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
