"""Clients for the API as a mobile app holds them: a real token per device."""

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD

API = "/api/v1"


def json_client(**kwargs) -> APIClient:
    """An APIClient that sends JSON bodies, as the apps do."""
    client = APIClient(**kwargs)
    client.default_format = "json"
    return client


def sign_in(client: APIClient, username: str, password: str = PASSWORD) -> str:
    """Ask for a token as the app does and return its key."""
    response = client.post(
        f"{API}/auth/token/", {"username": username, "password": password}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def anon() -> APIClient:
    return json_client()


@pytest.fixture
def as_user():
    """A client signed in as `user` with a token of its own (one per device)."""

    def _as(user) -> APIClient:
        client = json_client()
        client.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(client, user.username)}")
        return client

    return _as
