"""What a browser journey works with: the page, its language and viewport, and the problems it met.

Tests find things by what a user sees (labels, roles, button and link text), in the journey's own
language: `journey.t("Log in")` is the app's own translation of a message id, so the same journey
reads "登录" in Chinese and "Log in" in English, and a missing translation shows up as a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page, Request, Response, expect

from org.models import User
from tests.factories import TEST_PASSWORD

SETTINGS = {
    # An iPhone 12-14 sized screen: the smallest common phone staff carry on visits.
    "phone": {"viewport": {"width": 390, "height": 844}, "scale": 2, "mobile": True},
    "desktop": {"viewport": {"width": 1366, "height": 900}, "scale": 1, "mobile": False},
}


def _translate(message: str | Promise, language: str) -> str:
    with translation.override(language):
        return str(message) if isinstance(message, Promise) else translation.gettext(message)


@dataclass
class ProblemLog:
    """Everything the browser complained about during a journey, except what the test declared."""

    found: list[str] = field(default_factory=list)
    _expected: list[tuple[int, str]] = field(default_factory=list)
    _downloads: set[str] = field(default_factory=set)

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self.found.append(f"uncaught JavaScript error: {error.error}"))
        context.on("response", self._on_response)
        context.on("requestfailed", self._on_request_failed)

    def expect_status(self, status: int, path: str) -> None:
        self._expected.append((status, path))

    def _is_expected(self, status: int, url: str) -> bool:
        path = urlsplit(url).path
        return any(status == want and path.startswith(prefix) for want, prefix in self._expected)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # Chromium repeats every 4xx/5xx response as a console error; the response handler has
        # already judged it (and let through the ones the test expects).
        if message.text.startswith("Failed to load resource: the server responded with a status of"):
            return
        where = message.location.get("url", "") if message.location else ""
        self.found.append(f"console error: {message.text} ({where})")

    def _on_response(self, response: Response) -> None:
        if "attachment" in (response.headers.get("content-disposition") or ""):
            self._downloads.add(response.url)
        # Chromium asks every site for /favicon.ico on its own; base.html declares no icon, so that
        # request is the browser's habit, not a link of the app (reported to the lead).
        if urlsplit(response.url).path == "/favicon.ico":
            return
        if response.status >= 400 and not self._is_expected(response.status, response.url):
            self.found.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def _on_request_failed(self, request: Request) -> None:
        # A link to an attachment turns into a download, and Chromium reports the navigation it
        # abandons as "net::ERR_ABORTED": that is the download working, not a failure.
        if request.url in self._downloads and "ERR_ABORTED" in (request.failure or ""):
            return
        # A static file (the tab icon, a script still loading on a busy machine) that the browser itself
        # abandons because the test moved on to the next page: cancelled by the client, not failed by the
        # server (a missing file is a 404, judged by the response handler).
        if urlsplit(request.url).path.startswith("/static/") and "ERR_ABORTED" in (request.failure or ""):
            return
        self.found.append(f"request failed: {request.method} {request.url}: {request.failure}")


@dataclass
class Journey:
    page: Page
    language: str  # "zh-hans" or "en"
    viewport: str  # a key of SETTINGS
    base_url: str
    problems: ProblemLog
    screenshot_dir: Path

    # -- words -------------------------------------------------------------------------------
    def t(self, message: str | Promise, **params) -> str:
        """The app's translation of `message` (a message id, or a lazy translation such as a model's
        choice label) in this journey's language, %-formatted with params."""
        text = _translate(message, self.language)
        self._check_translated(message, text, _translate(message, "en"))
        return text % params if params else text

    def pt(self, context: str, message: str) -> str:
        """pgettext in this journey's language: a message id with a context."""
        with translation.override(self.language):
            text = translation.pgettext(context, message)
        with translation.override("en"):
            self._check_translated(message, text, translation.pgettext(context, message))
        return text

    def n(self, singular: str, plural: str, count: int, **params) -> str:
        with translation.override(self.language):
            text = translation.ngettext(singular, plural, count)
        with translation.override("en"):
            english = translation.ngettext(singular, plural, count)
        self._check_translated(singular, text, english)
        return text % {"counter": count, **params}

    def _check_translated(self, message: str | Promise, text: str, english: str) -> None:
        # A Chinese journey about to look for an English phrase has found an untranslated string:
        # the UI must read in Chinese throughout, so the journey stops there.
        if self.language == "zh-hans" and text == english and re.search("[A-Za-z]{2}", text):
            raise AssertionError(f"no Chinese translation for {str(english)!r}")

    def field_label(self, model, name: str) -> str:
        """A model field's label as Django's ModelForm shows it: the verbose name, capitalised."""
        with translation.override(self.language):
            return str(capfirst(model._meta.get_field(name).verbose_name))

    # -- moving around ----------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> Response | None:
        return self.page.goto(self.url(path))

    def path_pattern(self, path: str) -> re.Pattern:
        """A regex matching this live server's URL for `path` (and any query string after it)."""
        return re.compile(re.escape(self.url(path)) + r"(\?.*)?$")

    def open_menu(self) -> None:
        """On a phone the main navigation hides behind the menu button: open it if it is closed."""
        toggle = self.page.get_by_role("button", name=self.t("Menu"))
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        expect(self.main_nav()).to_be_visible()

    def card(self, title: str) -> Locator:
        """A card of the home page, by its title."""
        return self.page.locator(".cards a").filter(has=self.page.get_by_text(title, exact=True))

    def main_nav(self) -> Locator:
        return self.page.get_by_role("navigation", name=self.t("Main navigation"))

    def nav(self, label: str) -> None:
        """Follow a link of the main navigation, the way a user would on this screen size."""
        self.open_menu()
        link = self.main_nav().get_by_role("link", name=label, exact=True)
        if not link.is_visible():
            # On a desktop the link sits in its campaign's dropdown menu: open that first.
            # (a hidden link is not in the accessibility tree, so find its menu by the link's text)
            exact_label = re.compile(f"^{re.escape(label)}$")
            menu = (
                self.main_nav().locator(".nav-group").filter(has=self.page.locator("a", has_text=exact_label))
            )
            menu.get_by_role("button").click()
        link.click()

    def nav_paths(self) -> list[str]:
        """The paths of the app's own pages in the main navigation (not the Django admin site)."""
        self.open_menu()
        # Every link, those in closed dropdown menus included (hidden ones are not in the role tree).
        hrefs = self.main_nav().locator("a").evaluate_all("links => links.map(link => link.pathname)")
        return [href for href in hrefs if not href.startswith("/admin/")]

    def overflow_px(self) -> int:
        """How far the page sticks out sideways beyond the screen (0 when it fits)."""
        return self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    def login(self, user: User, *, password: str = TEST_PASSWORD) -> None:
        """Log in through the real login form, and land on the home page."""
        self.goto("/accounts/login/")
        self.page.get_by_label(self.field_label(User, "username")).fill(user.username)
        self.page.get_by_label(self.t("Password"), exact=True).fill(password)
        self.page.get_by_role("button", name=self.t("Log in")).click()
        expect(self.page).to_have_url(self.path_pattern("/"))

    def logout(self) -> None:
        self.open_menu()
        self.page.get_by_role("button", name=self.t("Log out")).click()
        expect(self.page).to_have_url(self.path_pattern("/accounts/login/"))

    def switch_language(self, code: str) -> None:
        """Pick a language in the header's language switch (it submits itself on change)."""
        # The switch names each language in the current one ("英语" for English on a Chinese page).
        label = self.t(dict(settings.LANGUAGES)[code])
        with self.page.expect_navigation():
            self.page.get_by_label(self.t("Language")).select_option(label=label)
        self.language = code
        expect(self.page.locator("html")).to_have_attribute("lang", code)

    # -- evidence ----------------------------------------------------------------------------
    def expect_status(self, status: int, path: str) -> None:
        """Declare that a `status` response from a URL under `path` is the point of a step (a 400
        for a form with errors, say), so the journey does not count it as a failure."""
        self.problems.expect_status(status, path)

    def screenshot(self, name: str, *, full_page: bool | None = None, at: Locator | None = None) -> Path:
        """Save the page as `<name>.<language>.<viewport>.png` (stable names for the README).

        A desktop screenshot shows the whole page; a phone one shows one screenful, which is what
        the user has in hand: the top of the page, or the part around `at`.
        """
        path = self.screenshot_dir / f"{name}.{self.language}.{self.viewport}.png"
        if full_page is None:
            full_page = self.viewport == "desktop"
        if at is not None:
            at.evaluate("element => element.scrollIntoView({block: 'start'})")
        elif not full_page:
            self.page.evaluate("window.scrollTo(0, 0)")
        # Let scripts finish their requests and charts their drawing, so screenshots show the page at rest.
        self.page.wait_for_load_state("networkidle")
        self.page.screenshot(path=path, full_page=full_page, animations="disabled")
        return path
