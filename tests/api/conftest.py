"""Clients for the API as a mobile app holds them: a real token per device, and
what every error answer is checked for."""

import json
import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from tests.factories import PASSWORD

API = "/api/v1"


def json_client(**kwargs) -> APIClient:
    """An APIClient that sends JSON bodies, as the apps do."""
    client = APIClient(**kwargs)
    client.default_format = "json"
    return client


def finish_sign_up(client, to: str):
    """Open the link the last sign-up e-mail to `to` carries and press its button."""
    message = mail.outbox[-1]
    assert message.to == [to]
    path = re.search(r"https?://[^/]+(/accounts/signup/\S+)", message.body).group(1)
    return client.post(path)


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


ERROR_TYPES = {"validation_error", "client_error", "server_error"}


def api_errors(response, status: int) -> list[dict]:
    """The errors of an error answer, after checking its status and its one shape:
    {"type": ..., "errors": [{"code", "detail", "attr"}, ...]}."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"type", "errors"}, body
    assert body["type"] in ERROR_TYPES
    assert body["type"] == ("server_error" if status >= 500 else body["type"])
    assert body["errors"], "an error names the problem"
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr"}, error
        assert error["code"]
        assert error["detail"]
    return body["errors"]


def error_codes(response, status: int) -> list[str]:
    return [e["code"] for e in api_errors(response, status)]


def error_attrs(response, status: int = 400) -> list[str | None]:
    """The fields a 400 names, each once, in order."""
    assert json.loads(response.content).get("type") == "validation_error"
    return list(dict.fromkeys(e["attr"] for e in api_errors(response, status)))


def error_detail(response, status: int) -> str:
    """Every message of an error answer, as one text."""
    return " ".join(e["detail"] for e in api_errors(response, status))
