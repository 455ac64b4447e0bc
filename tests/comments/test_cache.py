"""Anonymous readers share one rendering per change; every change shows at once."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from comments.services import (
    comment_delete,
    comment_edit,
    comment_set_status,
    comment_vote,
)
from tests.comments.helpers import add_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, article):
    return lambda: client.get(article.get_absolute_url()).content.decode()


def test_the_second_anonymous_view_is_served_from_the_cache(
    client, article, reader, django_assert_num_queries
):
    add_comment(article, reader, body="Cached words")
    client.get(article.get_absolute_url())

    with django_assert_num_queries(2):  # the article and its topics only
        html = client.get(article.get_absolute_url()).content.decode()

    assert "Cached words" in html


def test_the_shared_rendering_carries_nothing_personal(client, article, reader):
    add_comment(article, reader)
    client.get(article.get_absolute_url())

    html = client.get(article.get_absolute_url()).content.decode()
    threads = html.split('id="threads"')[1]

    assert "csrfmiddlewaretoken" not in threads
    assert "/edit/" not in threads
    # (a class, not the word: a reader's name may be "Jasmine")
    assert not re.search(r'class="comment[^"]*\bmine\b', threads)


def test_approval_edit_vote_and_delete_each_show_to_anonymous_readers_at_once(
    page, article, reader, other_reader, django_capture_on_commit_callbacks
):
    held = add_comment(article, reader, status="held", body="Held words")
    assert "Held words" not in page()

    with django_capture_on_commit_callbacks(execute=True):
        comment_set_status(comment_id=held.pk, status="approved")
    assert "Held words" in page()

    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment=held, user=reader, body="Edited words")
        comment_set_status(comment_id=held.pk, status="approved")
    assert "Edited words" in page()

    with django_capture_on_commit_callbacks(execute=True):
        comment_vote(comment=held, user=other_reader, value=1)
    assert "1 point" in page()

    with django_capture_on_commit_callbacks(execute=True):
        comment_delete(comment=held, user=reader)
    assert "Edited words" not in page()
    assert "deleted by its author" in page()


def test_sorts_and_threads_are_cached_apart(client, article, reader):
    add_comment(article, reader, body="First one", score=0)
    add_comment(article, reader, body="Second one", score=5)
    url = article.get_absolute_url()

    oldest = client.get(url).content.decode()
    top = client.get(url + "?sort=top").content.decode()

    assert oldest.index("First one") < oldest.index("Second one")
    assert top.index("Second one") < top.index("First one")


def test_a_signed_in_reader_never_gets_the_shared_rendering(client, article, reader):
    mine = add_comment(article, reader, body="My words")
    client.get(article.get_absolute_url())  # fills the anonymous cache
    client.force_login(reader)

    html = client.get(article.get_absolute_url()).content.decode()

    assert reverse("comments:edit", args=[mine.pk]) in html


def test_pages_still_work_when_the_cache_is_down(client, article, reader):
    add_comment(article, reader, body="Still here")
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    with override_settings(CACHES=unreachable):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Still here" in response.content.decode()
