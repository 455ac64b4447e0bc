"""An app's token is remembered for a short while, so a request costs no token
query, and every way of revoking it takes effect on the very next request."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from knox.models import AuthToken

from accounts import services
from accounts.auth import CachedTokenAuthentication, revoke_cached_tokens
from moderation.bans import user_ban
from tests.api.conftest import API, json_client, sign_in
from tests.factories import PASSWORD, ArticleFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}


@pytest.fixture
def app(reader):
    """The reader's app, its token already used once (so it is cached)."""
    client = json_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(client, reader.username)}")
    assert client.get(f"{API}/me/").status_code == 200
    return client


def test_a_remembered_token_costs_no_query(app, reader, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = app.get(f"{API}/me/")

    assert response.status_code == 200
    assert response.json()["username"] == reader.username


def test_a_token_not_yet_remembered_is_checked_in_the_database(
    reader, django_assert_max_num_queries
):
    client = json_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(client, reader.username)}")

    with django_assert_max_num_queries(4) as captured:
        assert client.get(f"{API}/me/").status_code == 200
    assert any("knox_authtoken" in q["sql"] for q in captured.captured_queries)


def test_a_made_up_token_is_refused(app):
    app.credentials(HTTP_AUTHORIZATION="Token " + "x" * 64)

    assert app.get(f"{API}/me/").status_code == 401


def test_signing_out_refuses_the_remembered_token_at_once(app):
    assert app.delete(f"{API}/auth/token/").status_code == 204

    assert app.get(f"{API}/me/").status_code == 401


def test_signing_out_everywhere_refuses_every_remembered_token(reader, app):
    phone = json_client()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(phone, reader.username)}")
    assert phone.get(f"{API}/me/").status_code == 200

    assert phone.delete(f"{API}/auth/tokens/").status_code == 204

    assert app.get(f"{API}/me/").status_code == 401
    assert phone.get(f"{API}/me/").status_code == 401


def test_a_password_change_refuses_the_remembered_token_at_once(reader, app):
    services.user_set_password(user=reader, password="a brand new passphrase")

    assert app.get(f"{API}/me/").status_code == 401


def test_erasing_the_account_refuses_its_remembered_token(app):
    erased = app.delete(f"{API}/me/", {"password": PASSWORD})
    assert erased.status_code == 204

    assert app.get(f"{API}/me/").status_code == 401


def test_a_deactivated_account_is_refused_though_its_token_is_remembered(reader, app):
    reader.is_active = False
    reader.save(update_fields=["is_active"])

    assert app.get(f"{API}/me/").status_code == 401


def test_a_ban_stops_posting_at_once_with_a_remembered_token(
    reader, moderator, app, fast_posting
):
    article = ArticleFactory()
    path = f"{API}/articles/{article.slug}/comments/"
    assert app.post(path, {"body": "Before the ban."}).status_code == 201

    user_ban(user=reader, moderator=moderator, reason="Abuse.")

    refused = app.post(path, {"body": "After the ban."})
    assert refused.status_code == 403
    assert "banned" in refused.content.decode()


def test_an_expired_token_is_refused_though_it_is_remembered(settings, reader):
    settings.REST_KNOX = {**settings.REST_KNOX, "AUTO_REFRESH": False}
    instance, token = AuthToken.objects.create(reader, expiry=timedelta(seconds=30))
    client = json_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}/me/").status_code == 200

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert client.get(f"{API}/me/").status_code == 401

    assert not AuthToken.objects.filter(digest=instance.digest).exists()


def test_a_token_left_unused_past_its_lifetime_is_refused(settings, app):
    with time_machine.travel(timezone.now() + settings.REST_KNOX["TOKEN_TTL"]):
        assert app.get(f"{API}/me/").status_code == 401


def test_a_remembered_token_in_use_is_renewed_once_a_minute_not_per_request(
    settings, reader, django_assert_num_queries
):
    settings.API_TOKEN_CACHE_SECONDS = 600
    instance, token = AuthToken.objects.create(reader)
    client = json_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}/me/").status_code == 200
    later = timezone.now() + timedelta(minutes=2)

    with time_machine.travel(later, tick=False):
        with django_assert_num_queries(1):  # the renewal, and no token read
            assert client.get(f"{API}/me/").status_code == 200
        with django_assert_num_queries(0):
            assert client.get(f"{API}/me/").status_code == 200

    instance.refresh_from_db()
    assert instance.expiry == later + settings.REST_KNOX["TOKEN_TTL"]


def test_with_the_cache_down_tokens_are_checked_in_the_database(reader):
    with override_settings(CACHES=UNREACHABLE_CACHE):
        client = json_client()
        token = sign_in(client, reader.username)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get(f"{API}/me/").status_code == 200
        assert client.delete(f"{API}/auth/token/").status_code == 204
        assert client.get(f"{API}/me/").status_code == 401


def test_with_caching_off_every_request_reads_the_token(
    settings, app, django_assert_max_num_queries
):
    settings.API_TOKEN_CACHE_SECONDS = 0

    with django_assert_max_num_queries(3) as captured:
        assert app.get(f"{API}/me/").status_code == 200
    assert any("knox_authtoken" in q["sql"] for q in captured.captured_queries)


def test_each_request_gets_its_own_copy_of_a_remembered_account(reader):
    # What one request sets on its user (a view's note, a vote it counted)
    # must never reach the next request served by the same process.
    client = json_client()
    token = sign_in(client, reader.username)
    first, _ = CachedTokenAuthentication().authenticate_credentials(token.encode())
    first.display_name = "Changed by one request only"

    second, _ = CachedTokenAuthentication().authenticate_credentials(token.encode())

    assert second.pk == reader.pk
    assert second is not first
    assert second.display_name == reader.display_name


def test_a_revocation_made_elsewhere_counts_though_the_entry_is_kept_here(reader, app):
    # Another process revokes (its signal moves the generation); this process
    # still holds its own copy of the entry, and refuses it all the same.
    (token,) = AuthToken.objects.filter(user=reader)
    AuthToken.objects.filter(pk=token.pk)._raw_delete(using="default")
    revoke_cached_tokens(user_id=reader.pk)

    assert app.get(f"{API}/me/").status_code == 401
