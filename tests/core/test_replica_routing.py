"""Reads go to a replica, writes to the primary, and a reader who just wrote reads
the primary for a few seconds, so they see their own comment at once."""

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from knox.models import AuthToken

from articles.models import Article
from core import db
from core.middleware import PIN_COOKIE, ReplicaPinMiddleware
from tests.api.conftest import API, json_client
from tests.factories import ArticleFactory

REPLICA = "replica_under_test"
router = db.ReplicaRouter()


@pytest.fixture
def replicas(settings):
    settings.DATABASE_REPLICAS = ["replica_a", "replica_b"]
    db._resting.clear()
    yield settings.DATABASE_REPLICAS
    db._resting.clear()


@pytest.fixture
def mirror(settings) -> Iterator[list[int]]:
    """A real second alias of the test database, standing in for a replica;
    yields a list that grows by one for each query run on it."""
    config = {**connections[DEFAULT_DB_ALIAS].settings_dict}
    connections[REPLICA] = load_backend(config["ENGINE"]).DatabaseWrapper(
        config, REPLICA
    )
    settings.DATABASE_REPLICAS = [REPLICA]
    queries: list[int] = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    try:
        with connections[REPLICA].execute_wrapper(count):
            yield queries
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]


def test_outside_a_web_request_everything_reads_the_primary(replicas):
    assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_a_request_reads_one_replica_throughout_and_the_next_another(replicas):
    with db.request_routing(pinned=False):
        first = {router.db_for_read(Article) for _ in range(3)}
    with db.request_routing(pinned=False):
        second = {router.db_for_read(Article) for _ in range(3)}

    assert len(first) == len(second) == 1
    assert first | second == {"replica_a", "replica_b"}


def test_writes_go_to_the_primary_and_the_request_reads_it_from_then_on(replicas):
    with db.request_routing(pinned=False) as routing:
        assert router.db_for_read(Article) in replicas
        assert router.db_for_write(Article) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS
    assert routing.wrote


def test_primary_reads_end_but_a_write_inside_them_keeps_the_primary(replicas):
    with db.request_routing(pinned=False):
        with db.primary_reads():
            assert router.db_for_read(Article) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Article) in replicas
    with db.request_routing(pinned=False):
        with db.primary_reads():
            router.db_for_write(Article)  # a token renewed while it is checked
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_a_pinned_request_reads_the_primary(replicas):
    with db.request_routing(pinned=True):
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(replicas):
    with db.request_routing(pinned=False), transaction.atomic():
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_without_replicas_nothing_changes(settings):
    settings.DATABASE_REPLICAS = []
    with db.request_routing(pinned=False):
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_a_failed_replica_is_left_alone_for_a_while(replicas):
    db.replica_failed("replica_a")
    with db.request_routing(pinned=False):
        assert {router.db_for_read(Article) for _ in range(4)} == {"replica_b"}
    db.replica_failed("replica_b")
    with db.request_routing(pinned=False):
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_migrations_run_on_the_primary_only(replicas):
    assert router.allow_migrate("replica_a", "comments") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "comments") is None


def _through_middleware(request) -> tuple[HttpResponse, db.Routing]:
    seen = {}

    def view(request):
        seen["routing"] = db.current_routing()
        return HttpResponse("ok")

    return ReplicaPinMiddleware(view)(request), seen["routing"]


def test_a_post_pins_the_reader_by_cookie_for_a_few_seconds(settings, replicas):
    factory = RequestFactory()
    response, routing = _through_middleware(factory.post("/articles/x/comments/"))
    assert not routing.pinned
    cookie = response.cookies[PIN_COOKIE]
    assert int(cookie["max-age"]) == settings.DATABASE_PIN_SECONDS

    again = factory.get("/articles/x/")
    again.COOKIES[PIN_COOKIE] = cookie.value
    assert _through_middleware(again)[1].pinned

    later = timezone.now() + timedelta(seconds=settings.DATABASE_PIN_SECONDS + 1)
    with time_machine.travel(later):
        assert not _through_middleware(again)[1].pinned


def test_a_forged_pin_cookie_is_ignored(replicas):
    request = RequestFactory().get("/articles/x/")
    request.COOKIES[PIN_COOKIE] = "1"

    assert not _through_middleware(request)[1].pinned


def test_an_app_that_keeps_no_cookies_is_pinned_by_its_token(replicas):
    factory = RequestFactory()
    headers = {"HTTP_AUTHORIZATION": "Token abc"}
    _through_middleware(factory.post(f"{API}/comments/1/vote/", **headers))

    assert _through_middleware(factory.get(f"{API}/me/", **headers))[1].pinned
    other = factory.get(f"{API}/me/", HTTP_AUTHORIZATION="Token xyz")
    assert not _through_middleware(other)[1].pinned


def test_a_read_that_writes_pins_the_reader_too(replicas):
    def view(request):
        router.db_for_write(Article)
        return HttpResponse("ok")

    response = ReplicaPinMiddleware(view)(RequestFactory().get("/"))

    assert PIN_COOKIE in response.cookies


def test_without_replicas_no_reader_is_marked(settings):
    settings.DATABASE_REPLICAS = []
    response, routing = _through_middleware(RequestFactory().post("/"))

    assert routing is None
    assert PIN_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True)
def test_anonymous_reads_come_from_the_replica_and_a_poster_reads_the_primary(
    mirror, regular, fast_posting
):
    article = ArticleFactory()
    path = f"{API}/articles/{article.slug}/comments/"
    assert json_client().get(path).status_code == 200
    assert mirror, "an anonymous page is read from the replica"

    app = json_client()
    app.force_authenticate(regular)
    assert app.post(path, {"body": "My own view."}).status_code == 201
    del mirror[:]
    page = app.get(path)

    assert page.status_code == 200
    assert not mirror, "the poster reads the primary"
    assert [c["body"] for c in page.json()["results"]][-1:] == ["My own view."]


def test_a_read_of_something_changed_just_now_goes_to_the_primary(settings, replicas):
    now = time.time_ns()
    with db.request_routing(pinned=False):
        db.pin_if_recent(now - (settings.DATABASE_PIN_SECONDS + 1) * 10**9)
        assert router.db_for_read(Article) in replicas
        db.pin_if_recent(now)
        assert router.db_for_read(Article) == DEFAULT_DB_ALIAS


def test_reads_inside_primary_reads_go_to_the_primary_and_after_it_the_replica(
    replicas,
):
    with db.request_routing(pinned=False):
        with db.primary_reads():
            assert router.db_for_read(Article) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Article) in replicas


@pytest.mark.django_db(transaction=True)
def test_an_apps_token_is_checked_on_the_primary_not_the_replica(mirror, reader):
    _, token = AuthToken.objects.create(reader)
    app = json_client()
    app.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert app.get(f"{API}/me/").status_code == 200
    assert not mirror, "a replica may not have the token yet"
