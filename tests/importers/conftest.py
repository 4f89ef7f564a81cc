"""Fixtures of the importer tests."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and exports go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
