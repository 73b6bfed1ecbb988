"""Asserting where a response leads, not only that it is a redirect."""

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext


def followed(client, response, *, to: str) -> str:
    """The page the redirect `response` leads to, which must be `to`: its text, messages included."""
    assert response.status_code == 302, response.status_code
    assert response["Location"] == to, f"redirected to {response['Location']}, not {to}"
    page = client.get(to)
    assert page.status_code == 200, page.status_code
    return page.content.decode()


def shown(message: str, *, language: str = "zh-hans") -> str:
    """A message id as the page shows it: translated and escaped."""
    with translation.override(language):
        return escape(gettext(message))
