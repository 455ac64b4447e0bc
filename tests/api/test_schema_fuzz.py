"""schemathesis against the live OpenAPI schema: no 5xx, every answer as described."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
FUZZ = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Call the app as Django's test client does: the raw WSGI handler would
    close the database connection after each request, inside the test's
    transaction (PostgreSQL then refuses the next query)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, settings):
    """Some content for the fuzzer to hit, and a signed-in reader's token."""
    from knox.models import AuthToken

    settings.COMMENT_THROTTLE_RATE = "100000/minute"
    article = ArticleFactory(slug="chips")
    reader = UserFactory()
    top = add_comment(article, reader, body="A top-level comment")
    add_comment(article, UserFactory(), parent=top, body="A reply")
    _, token = AuthToken.objects.create(reader)
    return {"Authorization": f"Token {token}"}


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_anonymous_requests_never_fail_and_match_the_schema(case, world):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_signed_in_requests_never_fail_and_match_the_schema(case, world):
    case.call_and_validate(headers=world, checks=CHECKS)
