"""Posting the real forms the way a browser does: read the page, fill the fields, post."""

import re

from supervision.models import Campaign, ChecklistItem

VERSION = re.compile(r'name="version" value="(\d+)"')


def loaded_version(page: str) -> int:
    """The version the edit form carries as a hidden field (what the user 'loaded')."""
    return int(VERSION.search(page).group(1))


def visit_post_data(campaign: Campaign, *, branch, score="8", action="complete", **fields) -> dict:
    data = {
        "branch": branch.pk,
        "visited_on": "2020-06-01",
        "visitors": "王芳, 李娜",
        "overall_comment": "",
        "action": action,
    }
    for item in ChecklistItem.objects.filter(area__template=campaign.template):
        data[f"score_{item.pk}"] = score
        data[f"remark_{item.pk}"] = ""
    data.update(fields)
    return data
