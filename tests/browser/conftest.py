"""Browser journeys: the real app on pytest-django's live server, driven in Debian's headless Chromium.

One Chromium per test session; every test gets a fresh browser context (no cookies, no cache) at
one of the journey settings below. A journey fails on any JavaScript console error, uncaught page
error, failed request or 4xx/5xx response, unless the test declared that response on purpose.

Journeys save screenshots of what they saw into a temporary folder. The tour of the reference
scenario (test_reference_tour.py) saves the README's into `$SCREENSHOTS_DIR` when it is set
(`make screenshots` sets it to `docs/screenshots`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Playwright, expect, sync_playwright

from tests.browser.journey import SETTINGS, Journey, ProblemLog

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
# Short on purpose, yet roomy for a busy 2-core box: the live server answers on loopback in
# milliseconds, and a journey that waits for something that never comes should fail in seconds.
ACTION_TIMEOUT_MS = 20_000
FAILURE_DIR = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Playwright]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make services` (it installs Debian's chromium).")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio event loop running in this thread, so Django sees
        # an "async context" and refuses the test's own ORM calls (building data, checking what a
        # journey saved) with SynchronousOnlyOperation. Those calls are plain blocking calls from a
        # test thread that no coroutine shares, so allowing them is safe here.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            yield playwright


@pytest.fixture(scope="session")
def browser(_playwright: Playwright) -> Iterator[Browser]:
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where journeys save what they saw: a temporary folder, to look at after a run."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def readme_screenshot_dir(screenshot_dir) -> Path:
    """Where the reference-scenario tour saves the README's screenshots: `$SCREENSHOTS_DIR` if set."""
    configured = os.environ.get("SCREENSHOTS_DIR")
    if not configured:
        return screenshot_dir
    path = Path(configured)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded photos and export files land in a throw-away MEDIA_ROOT, never in the working tree;
    # the live server thread reads the same settings object.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's outcome on the test item, so the journey fixture can save a screenshot of
    # the page a failing journey was looking at.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _make_journey(
    request, browser, live_server, screenshot_dir, language, viewport, *, service_workers: str = "block"
) -> Iterator[Journey]:
    """A fresh browser context at one setting; on leaving, fail the test if the browser complained.

    The service worker is blocked unless a journey is about it (tests/browser/test_offline_visit.py):
    it keeps fetching pages in the background, which a journey that moves on would count as
    abandoned requests."""
    setting = SETTINGS[viewport]
    # Like the database, the cache starts empty for every journey: supervision coalesces coverage
    # roll-ups with markers kept there, and a journey must not inherit another one's.
    cache.clear()
    context = browser.new_context(
        viewport=setting["viewport"],
        device_scale_factor=setting["scale"],
        is_mobile=setting["mobile"],
        has_touch=setting["mobile"],
        # The app picks its language from Accept-Language (no cookie yet), like a real first visit.
        locale="zh-CN" if language == "zh-hans" else "en-US",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
        service_workers=service_workers,
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    problems = ProblemLog()
    problems.watch(context)
    page = context.new_page()
    journey = Journey(
        page=page,
        language=language,
        viewport=viewport,
        base_url=live_server.url,
        problems=problems,
        screenshot_dir=screenshot_dir,
    )
    yield journey
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURE_DIR.mkdir(exist_ok=True)
        page.screenshot(path=FAILURE_DIR / f"{request.node.name}.png", full_page=True)
    context.close()
    if problems.found:
        pytest.fail("the browser reported problems:\n  " + "\n  ".join(problems.found), pytrace=False)


# Every journey runs twice: in Chinese on a phone (staff in the field) and in English on a desktop
# (the office). Together that covers both languages and both layouts without running each journey
# four times.
@pytest.fixture(params=[("zh-hans", "phone"), ("en", "desktop")], ids=["zh-phone", "en-desktop"])
def journey(request, browser, live_server, screenshot_dir, transactional_db) -> Iterator[Journey]:
    language, viewport = request.param
    yield from _make_journey(request, browser, live_server, screenshot_dir, language, viewport)


@pytest.fixture
def offline_journey(browser, live_server, readme_screenshot_dir, transactional_db, request):
    """A Chinese phone journey with the service worker running: the offline-first visit form."""
    yield from _make_journey(
        request, browser, live_server, readme_screenshot_dir, "zh-hans", "phone", service_workers="allow"
    )


@pytest.fixture
def tour(request, browser, live_server, readme_screenshot_dir, transactional_db):
    """tour(language, viewport) -> a Journey saving README screenshots; several per test, for a test
    that builds expensive data (the reference scenario) once and looks at it in every setting."""
    journeys = []

    def _start(language: str, viewport: str) -> Journey:
        generator = _make_journey(request, browser, live_server, readme_screenshot_dir, language, viewport)
        journeys.append(generator)
        return next(generator)

    yield _start
    failures = []
    for generator in journeys:
        try:
            next(generator, None)
        except pytest.fail.Exception as failure:
            failures.append(str(failure))
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
