"""A kept database connection is asked `SELECT 1` before a request uses it only
when it has been idle: in steady use the check costs no round trip, and a
connection the server dropped while idle is still replaced before the query."""

from unittest import mock

import psycopg
import pytest
from django.db import connection

from core.postgresql import base

pytestmark = [
    # Request boundaries run outside any transaction, as in production.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's"),
]


def a_request(query: str = "SELECT 1") -> list:
    """What Django does around a request that runs `query`."""
    connection.close_if_unusable_or_obsolete()  # request_started
    with connection.cursor() as cursor:
        cursor.execute(query)
        rows = cursor.fetchall()
    connection.close_if_unusable_or_obsolete()  # request_finished
    return rows


@pytest.fixture
def kept(settings):
    """The connection kept between requests, with health checks on."""
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    a_request()
    yield connection
    connection.close()


def test_a_connection_in_steady_use_is_not_asked_before_each_request(kept):
    with mock.patch.object(kept, "is_usable", wraps=kept.is_usable) as asked:
        assert a_request("SELECT 2") == [(2,)]
        assert a_request("SELECT 3") == [(3,)]

    assert asked.call_count == 0


def test_an_idle_connection_is_asked_first(kept, monkeypatch):
    monkeypatch.setattr(base, "HEALTHY_SECONDS", 0.0)

    with mock.patch.object(kept, "is_usable", wraps=kept.is_usable) as asked:
        assert a_request("SELECT 2") == [(2,)]

    assert asked.call_count == 1


def test_a_connection_dropped_while_idle_is_replaced_before_the_query(
    kept, monkeypatch
):
    monkeypatch.setattr(base, "HEALTHY_SECONDS", 0.0)
    dropped = kept.connection.info.backend_pid
    params = kept.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])

    (pid,) = a_request("SELECT pg_backend_pid()")[0]

    assert pid != dropped
