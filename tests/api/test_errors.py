"""Every API error answers in one shape, with a code a program can act on:
{"type": ..., "errors": [{"code": ..., "detail": ..., "attr": ...}]}."""

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from core.api import (
    DATABASE_RETRY_AFTER_SECONDS,
    bad_request,
    csrf_failure,
    server_error,
)
from core.middleware import DatabaseUnavailableMiddleware
from tests.api.conftest import API, api_errors, json_client
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def comments_url(article) -> str:
    return f"{API}/articles/{article.slug}/comments/"


def only_error(response, status: int, kind: str) -> dict:
    """The one error of an answer that carries exactly one, of this type."""
    errors = api_errors(response, status)
    assert json.loads(response.content)["type"] == kind
    assert len(errors) == 1, errors
    return errors[0]


# --- 400 ---------------------------------------------------------------------------


def test_a_bad_field_is_a_validation_error_naming_it(as_user, article, reader):
    response = as_user(reader).post(comments_url(article), {"body": "x" * 20001})

    error = only_error(response, 400, "validation_error")
    assert (error["attr"], error["code"]) == ("body", "max_length")


def test_every_message_about_a_field_is_its_own_error(anon):
    response = anon.post(
        f"{API}/auth/register/",
        {"username": "newcomer", "email": "new@example.org", "password": "12345"},
    )

    errors = api_errors(response, 400)
    assert response.json()["type"] == "validation_error"
    assert len(errors) > 1
    assert {e["attr"] for e in errors} == {"password"}


def test_a_services_field_error_names_the_field(anon, article):
    response = anon.get(comments_url(article), {"sort": "random"})

    error = only_error(response, 400, "validation_error")
    assert (error["attr"], error["code"]) == ("sort", "invalid")


def test_a_services_error_about_the_whole_request_has_no_attr(as_user, reader):
    closed = ArticleFactory(discussion_policy="closed")

    response = as_user(reader).post(comments_url(closed), {"body": "Late"})

    error = only_error(response, 400, "validation_error")
    assert error["attr"] is None
    assert error["code"] == "invalid"
    assert "closed" in error["detail"]


def test_malformed_json_is_a_parse_error(as_user, article, reader):
    response = as_user(reader).generic(
        "POST", comments_url(article), '{"body": ', content_type="application/json"
    )

    error = only_error(response, 400, "client_error")
    assert (error["code"], error["attr"]) == ("parse_error", None)


def test_a_content_length_that_is_no_number_is_a_parse_error(anon):
    response = anon.generic(
        "POST", f"{API}/auth/token/", "{}", content_type="application/json",
        CONTENT_LENGTH="lots",
    )  # fmt: skip

    assert only_error(response, 400, "client_error")["code"] == "parse_error"


@pytest.mark.parametrize(
    "url",
    [f"{API}/articles/", f"{API}/articles/{{slug}}/comments/",
     f"{API}/comments/{{pk}}/replies/"],
)  # fmt: skip
def test_a_cursor_the_site_did_not_hand_out_is_an_invalid_cursor(
    anon, article, reader, url
):
    comment = add_comment(article, reader)
    url = url.format(slug=article.slug, pk=comment.pk)

    response = anon.get(url, {"cursor": "not-a-cursor"})

    error = only_error(response, 400, "validation_error")
    assert (error["attr"], error["code"]) == ("cursor", "invalid_cursor")


# --- 401, 403 ----------------------------------------------------------------------


def test_no_token_is_not_authenticated(anon):
    response = anon.get(f"{API}/me/")

    assert only_error(response, 401, "client_error")["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token " + "z" * 64, "Token ÿÿÿÿ"])
def test_a_bad_token_is_authentication_failed(anon, header):
    response = anon.get(f"{API}/me/", HTTP_AUTHORIZATION=header)

    assert only_error(response, 401, "client_error")["code"] == "authentication_failed"


def test_a_reader_in_the_moderators_queue_is_permission_denied(as_user, reader):
    response = as_user(reader).get(f"{API}/moderation/queue/")

    error = only_error(response, 403, "client_error")
    assert error["code"] == "permission_denied"
    assert error["detail"] == "Only moderators may do this."


def test_a_services_refusal_is_permission_denied_with_its_reason(
    as_user, article, reader
):
    comment = add_comment(article, reader)

    response = as_user(reader).post(f"{API}/comments/{comment.pk}/vote/", {"value": 1})

    error = only_error(response, 403, "client_error")
    assert error["code"] == "permission_denied"
    assert "own comment" in error["detail"]


def test_a_session_write_without_its_csrf_token_is_permission_denied(article, reader):
    browser = json_client(enforce_csrf_checks=True)
    browser.force_login(reader)

    response = browser.post(comments_url(article), {"body": "From another site"})

    error = only_error(response, 403, "client_error")
    assert error["code"] == "permission_denied"
    assert "CSRF" in error["detail"]


def test_djangos_csrf_failure_on_the_api_answers_in_the_same_shape():
    response = csrf_failure(RequestFactory().post(f"{API}/anything/"), "no token")

    error = only_error(response, 403, "client_error")
    assert error["code"] == "permission_denied"
    assert "CSRF" in error["detail"]


# --- 404, 405, 406, 409 ------------------------------------------------------------


def test_a_missing_object_and_an_unknown_path_answer_alike(anon):
    missing = anon.get(f"{API}/comments/999999/")
    unknown = anon.get(f"{API}/no-such-thing/")

    assert only_error(missing, 404, "client_error")["code"] == "not_found"
    assert only_error(unknown, 404, "client_error")["code"] == "not_found"
    assert missing.json() == unknown.json()


def test_a_wrong_method_is_method_not_allowed(anon):
    response = anon.put(f"{API}/articles/")

    assert only_error(response, 405, "client_error")["code"] == "method_not_allowed"


def test_asking_for_anything_but_json_is_not_acceptable(anon):
    response = anon.get(f"{API}/articles/", HTTP_ACCEPT="text/html")

    assert only_error(response, 406, "client_error")["code"] == "not_acceptable"


def test_flagging_twice_is_a_conflict(as_user, article, reader, other_reader):
    comment = add_comment(article, other_reader)
    app = as_user(reader)
    url = f"{API}/comments/{comment.pk}/flags/"

    assert app.post(url, {"reason": "spam"}).status_code == 201
    response = app.post(url, {"reason": "abuse"})

    error = only_error(response, 409, "client_error")
    assert error["code"] == "conflict"
    assert "already flagged" in error["detail"]


# --- 413, 415, 429 -----------------------------------------------------------------


def test_a_body_over_the_limit_is_request_too_large(as_user, article, reader, settings):
    body = json.dumps({"body": "x" * settings.API_MAX_BODY_BYTES})

    response = as_user(reader).generic(
        "POST", comments_url(article), body, content_type="application/json"
    )

    error = only_error(response, 413, "client_error")
    assert error["code"] == "request_too_large"
    assert f"{settings.API_MAX_BODY_BYTES:,}" in error["detail"]


def test_a_body_that_is_not_json_is_an_unsupported_media_type(as_user, article, reader):
    response = as_user(reader).generic(
        "POST", comments_url(article), "body=Hi", content_type="text/plain"
    )

    error = only_error(response, 415, "client_error")
    assert error["code"] == "unsupported_media_type"


def test_posting_too_fast_is_throttled_with_retry_after(
    as_user, article, reader, settings
):
    settings.COMMENT_THROTTLE_RATE = "1/minute"
    app = as_user(reader)

    assert app.post(comments_url(article), {"body": "One"}).status_code == 201
    response = app.post(comments_url(article), {"body": "Two"})

    error = only_error(response, 429, "client_error")
    assert error["code"] == "throttled"
    assert "wait" in error["detail"]
    assert int(response["Retry-After"]) > 0


# --- 5xx ---------------------------------------------------------------------------


def test_an_unreachable_database_is_unavailable_with_retry_after(anon, article):
    outage = OperationalError("could not connect to server: Connection refused")

    with mock.patch("comments.selectors.discussion_page", side_effect=outage):
        response = anon.get(comments_url(article))

    assert only_error(response, 503, "server_error")["code"] == "unavailable"
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)


def test_the_database_down_outside_drf_answers_the_same(anon, article):
    request = RequestFactory().get(f"{API}/articles/")
    outage = OperationalError("could not connect to server: Connection refused")

    response = DatabaseUnavailableMiddleware(lambda r: None).process_exception(
        request, outage
    )

    assert only_error(response, 503, "server_error")["code"] == "unavailable"
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)


def test_a_bug_is_a_500_in_the_same_shape_that_tells_nothing(anon, article):
    anon.raise_request_exception = False

    with mock.patch(
        "comments.selectors.discussion_page", side_effect=RuntimeError("secret")
    ):
        response = anon.get(comments_url(article))

    error = only_error(response, 500, "server_error")
    assert error["code"] == "error"
    assert "secret" not in response.content.decode()


@pytest.mark.parametrize(
    ("view", "status", "code"),
    [(server_error, 500, "error"), (bad_request, 400, "bad_request")],
)
def test_djangos_error_views_on_the_api_answer_in_the_same_shape(view, status, code):
    response = view(RequestFactory().get(f"{API}/articles/"))

    kind = "server_error" if status >= 500 else "client_error"
    assert only_error(response, status, kind)["code"] == code
