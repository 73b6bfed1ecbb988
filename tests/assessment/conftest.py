import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Export files land in a throw-away MEDIA_ROOT, never in the working tree.
    settings.MEDIA_ROOT = tmp_path / "media"
