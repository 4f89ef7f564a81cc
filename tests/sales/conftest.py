import pytest

from tests.conftest import client_for


@pytest.fixture
def staff_api(admin_user):
    """A client for a staff member (is_staff), who may change master data."""
    return client_for(admin_user)
