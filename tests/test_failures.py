"""When the database cannot be reached, readers get a clear 503, not a crash."""

import json

from django.db import OperationalError
from django.test import RequestFactory

from core.api import DATABASE_RETRY_AFTER_SECONDS
from core.middleware import DatabaseUnavailableMiddleware


def unreachable(request):
    raise OperationalError("could not connect to server: Connection refused")


def answer(path: str):
    request = RequestFactory().get(path)
    middleware = DatabaseUnavailableMiddleware(unreachable)
    try:
        return middleware(request)
    except OperationalError as exc:
        return middleware.process_exception(request, exc)


def test_pages_answer_a_plain_503_page_that_says_to_retry():
    response = answer("/articles/chips/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert "Briefly unavailable" in response.content.decode()


def test_the_api_answers_503_in_json():
    response = answer("/api/v1/articles/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["type"] == "server_error"
    assert [e["code"] for e in body["errors"]] == ["unavailable"]


def test_other_errors_are_not_disguised():
    middleware = DatabaseUnavailableMiddleware(unreachable)

    assert middleware.process_exception(RequestFactory().get("/"), ValueError()) is None
