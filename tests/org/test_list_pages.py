"""Every list page says so when no row matches its filters (rather than showing nothing)."""

import re

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "empty_text"),
    [
        ("/org/branches/?q=不存在", "没有符合筛选条件的党支部。"),
        ("/supervision/problems/?q=不存在", "没有符合筛选条件的问题。"),
    ],
)
def test_a_list_without_matches_says_so(login, org, url, empty_text):
    page = login(org.admin).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert empty_text in text
    assert re.search(r'data-testid="result-count">[^<]*\b0\b', text), text.split("<main")[1][:1500]
