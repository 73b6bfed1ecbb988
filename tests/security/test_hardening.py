"""Production settings, response headers, the CSP-compatibility of every template, CSRF and uploads."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from org.models import Unit
from tests.factories import TEST_PASSWORD

ROOT = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "branchtrack.settings_production",
    "SECRET_KEY": "k7#Qz!p2Lw9@Xr4$Tn6^Vb8&Jm1*Hc3(Fd5)Gs0_Ay-Ue+Io=Pl",
    "ALLOWED_HOSTS": "party.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://party.example.com",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; production never has it.
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_the_development_secret_key():
    result = run_manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_turn_on_https_hsts_and_secure_cookies():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.DEBUG, 'script-src' in s.CONTENT_SECURITY_POLICY)",
        ],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "False", "True"], result.stderr


def test_every_page_carries_a_csp_without_inline_scripts_or_styles(client, org):
    for response in (client.get("/accounts/login/"), client.get("/does-not-exist/")):
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def project_templates() -> list[Path]:
    skip = {".venv", "node_modules", "staticfiles", ".git"}
    return [
        path
        for path in ROOT.rglob("*.html")
        if not skip.intersection(path.relative_to(ROOT).parts) and "templates" in path.parts
    ]


def test_no_project_template_has_inline_script_style_or_event_handler():
    """The CSP would silently break these in the browser, so they are caught here instead."""
    templates = project_templates()
    assert len(templates) > 10
    offenders = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER, JAVASCRIPT_URL):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0).strip()}")
    assert offenders == []


def _all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _all_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _checks_csrf_itself(callback) -> bool:
    # Django REST framework views are exempt from the middleware because DRF checks CSRF itself for
    # session-authenticated requests (tests/api/test_writes.py: a session POST without it is 403).
    from rest_framework.views import APIView

    return isinstance(getattr(callback, "cls", None), type) and issubclass(callback.cls, APIView)


def test_no_view_is_exempt_from_csrf():
    exempt = [
        route
        for route, pattern in _all_patterns()
        if getattr(pattern.callback, "csrf_exempt", False) and not _checks_csrf_itself(pattern.callback)
    ]
    assert exempt == []


def test_a_post_without_the_csrf_token_is_refused(org):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": org.admin.username, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("org.exe", b"MZ\x90\x00", "Unsupported file type"),
        ("org.csv", b"\x00\x01\x02binary\x00", "not a text CSV"),
        ("org.xlsx", b"PK\x03\x04 but not really a workbook", "not a valid Excel"),
        ("org.csv", "类型,编码,名称\n单位,X,很长\n".encode() * 20, "too large"),
    ],
)
def test_uploads_are_checked_by_type_and_size(login, org, settings, name, content, message):
    settings.UPLOAD_MAX_BYTES = 200
    settings.IMPORT_LIMITS = {**settings.IMPORT_LIMITS, "max_bytes": 200}  # as the settings derive it
    settings.LANGUAGE_CODE = "en"
    client = login(org.admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    units_before = Unit.objects.count()
    response = client.post("/org/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Unit.objects.count() == units_before
