"""A reader's new name shows on every discussion they wrote in at once: on the
pages anonymous readers share (rendered and API) and on a signed-in reader's."""

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import json_client, sign_in
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
OLD, NEW = "Rosa Oldname", "Rosa Newname"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def author(reader):
    reader.display_name = OLD
    reader.save(update_fields=["display_name", "display_name_skeleton"])
    return reader


@pytest.fixture
def discussions(author, other_reader):
    """Two articles where the author wrote, one answered by another reader."""
    first, second = ArticleFactory(), ArticleFactory()
    top = add_comment(first, author, body="Rosa's first words")
    add_comment(first, other_reader, parent=top, body="Sam answers Rosa")
    add_comment(second, other_reader, body="Sam starts here")
    add_comment(second, author, body="Rosa's second words")
    return [first, second]


@pytest.fixture
def pages(discussions, other_reader):
    """Each way a discussion is read, for each article: the text it shows."""
    anonymous, anonymous_api = Client(), json_client()
    signed_in = _signed_in(other_reader)
    signed_in_api = json_client()
    signed_in_api.credentials(
        HTTP_AUTHORIZATION=f"Token {sign_in(signed_in_api, other_reader.username)}"
    )

    def read() -> dict[str, str]:
        shown = {}
        for article in discussions:
            api = f"{API}/articles/{article.slug}/comments/"
            url = article.get_absolute_url()
            for name, client, path in [
                ("anonymous page", anonymous, url),
                ("anonymous API", anonymous_api, api),
                ("signed-in page", signed_in, url),
                ("signed-in API", signed_in_api, api),
            ]:
                response = client.get(path)
                assert response.status_code == 200, (name, path)
                shown[f"{name} of {article.slug}"] = response.content.decode()
        return shown

    return read


def _all_show(shown: dict[str, str], name: str, instead_of: str) -> None:
    stale = [where for where, text in shown.items()
             if name not in text or instead_of in text]  # fmt: skip
    assert stale == []


def test_a_rename_through_the_api_shows_on_every_cached_page_at_once(
    author, pages, django_capture_on_commit_callbacks
):
    _all_show(pages(), OLD, instead_of=NEW)  # every cache warmed with the old name
    app = json_client()
    app.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(app, author.username)}")

    with django_capture_on_commit_callbacks(execute=True):
        response = app.patch(f"{API}/me/", {"display_name": NEW})

    assert response.status_code == 200, response.content
    _all_show(pages(), NEW, instead_of=OLD)


def test_a_rename_on_the_profile_page_shows_on_every_cached_page_at_once(
    author, pages, django_capture_on_commit_callbacks
):
    _all_show(pages(), OLD, instead_of=NEW)

    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(author).post(
            reverse("profile"),
            {"display_name": NEW, "reply_emails": "on", "decision_emails": "on"},
        )

    assert response.status_code == 302
    _all_show(pages(), NEW, instead_of=OLD)


def test_clearing_the_name_shows_the_username_on_every_cached_page_at_once(
    author, pages, django_capture_on_commit_callbacks
):
    _all_show(pages(), OLD, instead_of="rosa</strong>")

    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(author).post(
            reverse("profile"), {"display_name": "", "reply_emails": "on"}
        )

    assert response.status_code == 302
    # The username stands in for the name, as the pages and the API write it.
    stale = [where for where, text in pages().items()
             if OLD in text or ("rosa</strong>" if "page" in where
                                else '"display_name":"rosa"') not in text]  # fmt: skip
    assert stale == []


def _admin_form(client: Client, path: str) -> dict[str, list[str]]:
    """The admin change form's fields as the browser would send them back."""
    page = lxml.html.fromstring(client.get(path).content)
    form = next(f for f in page.forms if f.get("id") == "user_form")
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


def test_a_rename_in_the_admin_shows_on_every_cached_page_at_once(
    author, pages, django_capture_on_commit_callbacks
):
    admin = _signed_in(UserFactory(is_staff=True, is_superuser=True))
    path = reverse("admin:accounts_user_change", args=[author.pk])
    _all_show(pages(), OLD, instead_of=NEW)
    data = _admin_form(admin, path)
    data["display_name"] = [NEW]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(path, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    _all_show(pages(), NEW, instead_of=OLD)
