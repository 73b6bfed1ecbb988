"""Driving a table import page: upload (preview), then confirm what the preview showed."""

from django.test import TestCase


def preview(client, url: str, upload):
    return client.post(url, {"file": upload})


def confirm(client, url: str, previewed):
    """Confirm the preview `previewed` as its page's button would.

    The import runs as a background job queued when the request commits; the test's transaction never
    commits, so the commit hooks run here (the job in process, as on the demo without a broker)."""
    token = previewed.context["token"]
    assert token, "the preview offers no confirmation"
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, {"confirm": "1", "token": token, "digest": previewed.context["plan"].digest})


def import_through_page(client, url: str, upload):
    """Upload and confirm; a file that changes nothing answers its preview (nothing to confirm)."""
    previewed = preview(client, url, upload)
    if previewed.status_code != 200 or not previewed.context["token"]:
        return previewed
    return confirm(client, url, previewed)
