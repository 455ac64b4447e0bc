"""The article around a discussion is remembered, so a page costs no query for
it, and every change to what the page shows of the article counts at once."""

import contextlib
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Topic
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]


@pytest.fixture
def story(db):
    return ArticleFactory(title="Spectrum auctions, explained")


def seen(client: Client, article: Article) -> str:
    """The page, read twice: the article is remembered from the second on."""
    client.get(article.get_absolute_url())
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_remembered_article_costs_an_anonymous_page_no_query(client, story):
    seen(client, story)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(story.get_absolute_url()).status_code == 200

    assert len(captured) == 0


def test_a_remembered_article_and_its_version_cost_one_cache_round_trip(client, story):
    seen(client, story)
    calls = []

    def counted(name):
        real = getattr(cache, name)
        return lambda *args, **kwargs: calls.append(name) or real(*args, **kwargs)

    with contextlib.ExitStack() as stack:
        for name in ("get", "get_many", "add", "set"):
            stack.enter_context(mock.patch.object(cache, name, counted(name)))
        assert client.get(story.get_absolute_url()).status_code == 200

    # The article, the articles' generation and the discussion version in
    # one read; the shared rendering of the discussion in the other.
    assert calls == ["get_many", "get"]


def test_an_edited_title_shows_on_the_next_page(client, story):
    seen(client, story)

    story.title = "Spectrum auctions, corrected"
    story.save()

    assert "Spectrum auctions, corrected" in seen(client, story)


def test_a_topic_added_or_renamed_shows_on_the_next_page(client, story):
    seen(client, story)
    topic = Topic.objects.create(name="Telecoms", slug="telecoms")

    story.topics.add(topic)
    assert "Telecoms" in seen(client, story)

    topic.name = "Telecommunications"
    topic.save()
    assert "Telecommunications" in seen(client, story)


def test_an_article_taken_back_to_draft_is_gone_for_readers_at_once(client, story):
    seen(client, story)

    story.status = Article.Status.DRAFT
    story.save()

    assert client.get(story.get_absolute_url()).status_code == 404


def test_staff_still_preview_a_draft_the_public_cannot_see(client, story):
    story.status = Article.Status.DRAFT
    story.save()
    editor = UserFactory(is_staff=True, groups=[Group.objects.get(name="Editors")])
    preview = Client()
    preview.force_login(editor)

    assert "Spectrum auctions, explained" in seen(preview, story)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_a_new_address_answers_and_the_old_one_leads_there(client, story):
    old = story.get_absolute_url()
    seen(client, story)

    story.slug = "spectrum-auctions"
    story.save()

    assert client.get(old).status_code == 301
    assert "Spectrum auctions, explained" in seen(client, story)


def test_the_bylines_renamed_author_shows_on_the_next_page(client, story):
    story.author.is_staff = True
    story.author.display_name = "Ana Writer"
    story.author.save()
    assert "Ana Writer" in seen(client, story)

    story.author.display_name = "Ana B. Writer"
    story.author.save()

    assert "Ana B. Writer" in seen(client, story)


def test_a_newly_approved_comment_moves_the_count_on_the_next_page(
    client, story, post, reader
):
    assert "Discussion (0)" in seen(client, story)

    post(article=story, author=reader, body="An approved first comment.")

    assert "Discussion (1)" in seen(client, story)


def test_following_is_the_readers_own_on_a_remembered_article(story, reader):
    follower, other = Client(), Client()
    follower.force_login(reader)
    other.force_login(UserFactory())
    seen(other, story)
    story.subscriptions.create(user=reader)

    assert "Stop following" in seen(follower, story)
    assert "Stop following" not in seen(other, story)
