import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Attachments go through the storage API; each test gets its own empty media folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
