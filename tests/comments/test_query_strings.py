"""Query strings and cursors: what the site never handed out is refused, and
only pages it links to are rendered into the shared cache."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.pagination import encode_cursor
from tests.comments.helpers import grow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/articles/?search=%00", "search"),
        ("/api/v1/articles/?topic=%00", "topic"),
        ("/api/v1/articles/?search=ok&topic=a%01b", "topic"),
    ],
)
def test_a_control_character_in_an_api_query_is_a_400_naming_the_parameter(
    client, url, name
):
    response = client.get(url)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    (error,) = response.json()["errors"]
    assert error["code"] == "invalid"
    assert f"parameter {name} holds a control character" in error["detail"]


def test_a_control_character_in_a_page_query_is_a_400_page(client, article):
    assert client.get(f"{article.get_absolute_url()}?sort=%00").status_code == 400
    assert client.get("/?q=a%00b").status_code == 400


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor({"s": "oldest", "id": 3})[:-1] + "A",  # a broken signature
        "eyJzIjoib2xkZXN0IiwiaWQiOjN9",  # the same position, unsigned
        encode_cursor({"s": "oldest", "id": 3, "x": 1}),  # an extra key
        encode_cursor({"s": "newest", "id": 3}),  # another sort's cursor
        "x" * 5000,
    ],
)
def test_a_cursor_the_site_did_not_hand_out_is_refused(client, article, cursor):
    page = client.get(article.get_absolute_url(), {"cursor": cursor})
    api = client.get(f"/api/v1/articles/{article.slug}/comments/", {"cursor": cursor})

    assert page.status_code == 400  # with the first page, for a person
    assert api.status_code == 400
    assert api.json()["errors"][0]["attr"] == "cursor"


def test_made_up_cursors_add_nothing_to_the_shared_cache(client, article, settings):
    grow(article, UserFactory.create_batch(2), top_level=3, replies_each=1)
    client.get(article.get_absolute_url())
    client.get(f"/api/v1/articles/{article.slug}/comments/")
    before = set(_stored_pages())

    for n in range(20):
        forged = encode_cursor({"s": "oldest", "id": n})[:-2] + "zz"
        client.get(article.get_absolute_url(), {"cursor": forged})
        client.get(f"/api/v1/articles/{article.slug}/comments/", {"cursor": forged})

    assert set(_stored_pages()) == before


def test_the_next_page_link_the_site_hands_out_works(client, article, settings):
    settings.COMMENTS_PER_PAGE = 2
    grow(article, UserFactory.create_batch(2), top_level=3, replies_each=0)

    first = client.get(f"/api/v1/articles/{article.slug}/comments/").json()
    second = client.get(first["next"])

    assert second.status_code == 200
    assert len(second.json()["results"]) == 1
    page = client.get(reverse("article", args=[article.slug]), {"cursor":
                      first["next"].split("cursor=")[1]})  # fmt: skip
    assert page.status_code == 200


def _stored_pages() -> list[str]:
    """The discussion renderings in the cache, whatever its backend."""
    backend = getattr(cache, "_cache", None)
    if isinstance(backend, dict):  # the local-memory cache
        return [k for k in backend if "discussion:" in k]
    client = cache._cache.get_client()  # Redis
    return [k.decode() for k in client.scan_iter(match="*discussion:*")]
