"""Shared fixtures. The database and Redis are real: the configured servers when
DATABASE_URL/REDIS_URL are set, the embedded ones (started by api.settings) otherwise."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.masters import EmployeeFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def employee(user):
    return EmployeeFactory(user=user)


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


def client_for(user) -> APIClient:
    """An API client that authenticates as ``user`` with a token, as a real client would."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(employee) -> APIClient:
    """A client for an ordinary staff member (who has an Employee record)."""
    return client_for(employee.user)


@pytest.fixture
def other_api(db) -> APIClient:
    """A client for a second, unrelated staff member."""
    return client_for(EmployeeFactory().user)


@pytest.fixture
def anon() -> APIClient:
    return APIClient()
