"""Driving a table import page: upload (preview), then confirm what the preview showed."""


def preview(client, url: str, upload):
    return client.post(url, {"file": upload})


def confirm(client, url: str, previewed):
    """Confirm the preview `previewed` as its page's button would."""
    token = previewed.context["token"]
    assert token, "the preview offers no confirmation"
    return client.post(url, {"confirm": "1", "token": token, "digest": previewed.context["plan"].digest})


def import_through_page(client, url: str, upload):
    """Upload and confirm; a file that changes nothing answers its preview (nothing to confirm)."""
    previewed = preview(client, url, upload)
    if previewed.status_code != 200 or not previewed.context["token"]:
        return previewed
    return confirm(client, url, previewed)
