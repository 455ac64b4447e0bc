"""A signed-in reader's account is remembered for a short while, so a page
costs no query for it, and every change to the account counts on the very
next page."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.auth import CachedModelBackend
from tests.accounts.test_token_cache import UNREACHABLE_CACHE
from tests.factories import PASSWORD, ArticleFactory

pytestmark = pytest.mark.django_db

ACCOUNT_READ = 'FROM "accounts_user" WHERE "accounts_user"."id" ='


def account_reads(client: Client, path: str) -> tuple[int, int]:
    """The page's status, and how many times it read the account by its id."""
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    return status, sum(ACCOUNT_READ in q["sql"] for q in captured.captured_queries)


@pytest.fixture
def browser(reader) -> Client:
    """The reader signed in with their password, one page already seen."""
    client = Client()
    assert client.login(username=reader.username, password=PASSWORD)
    assert client.get(reverse("profile")).status_code == 200
    return client


def test_a_remembered_account_costs_no_query(browser, reader):
    article = ArticleFactory()

    assert account_reads(browser, reverse("profile")) == (200, 0)
    assert account_reads(browser, article.get_absolute_url()) == (200, 0)
    assert reader.username in browser.get(reverse("profile")).content.decode()


def test_a_deactivated_account_is_signed_out_on_the_next_page(browser, reader):
    reader.is_active = False
    reader.save(update_fields=["is_active"])

    response = browser.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_changed_elsewhere_signs_the_browser_out(browser, reader):
    services.user_set_password(user=reader, password="a brand new passphrase")

    response = browser.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_joining_the_moderators_opens_the_desk_on_the_next_page(browser, reader):
    desk = reverse("moderation:desk")
    assert browser.get(desk).status_code in (302, 403)

    reader.is_staff = True
    reader.save(update_fields=["is_staff"])
    reader.groups.add(Group.objects.get(name="Moderators"))

    assert browser.get(desk).status_code == 200


def test_leaving_the_moderators_closes_the_desk_on_the_next_page(moderator):
    client = Client()
    client.force_login(moderator)
    desk = reverse("moderation:desk")
    assert client.get(desk).status_code == 200

    Group.objects.get(name="Moderators").user_set.remove(moderator)

    assert client.get(desk).status_code in (302, 403)


def test_with_the_cache_down_the_account_is_read_from_the_database(
    reader, django_assert_num_queries
):
    with (
        override_settings(CACHES=UNREACHABLE_CACHE),
        django_assert_num_queries(2),  # the account, and its groups
    ):
        assert CachedModelBackend().get_user(reader.pk) == reader


def test_with_caching_off_every_page_reads_the_account(settings, browser):
    settings.API_TOKEN_CACHE_SECONDS = 0

    assert account_reads(browser, reverse("profile")) == (200, 1)
