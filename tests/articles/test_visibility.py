"""The public sees published articles only, wherever it looks."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, TopicFactory

PUBLIC_LISTINGS = ["/", "/feed/", "/feed/atom/", "/sitemap.xml", "/topics/policy/"]


@pytest.fixture
def three_kinds(db):
    topic = TopicFactory(name="Policy", slug="policy")
    return {
        "live": ArticleFactory(title="Live story", slug="live-story", topics=[topic]),
        "draft": ArticleFactory(
            title="Draft story", slug="draft-story", draft=True, topics=[topic]
        ),
        "scheduled": ArticleFactory(
            title="Scheduled story",
            slug="scheduled-story",
            scheduled=True,
            topics=[topic],
        ),
    }


@pytest.mark.parametrize("url", PUBLIC_LISTINGS)
def test_listings_feeds_and_sitemap_show_only_published_articles(
    client, three_kinds, url
):
    body = client.get(url).content.decode()

    assert "live-story" in body
    assert "draft-story" not in body
    assert "scheduled-story" not in body


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_unpublished_article_page_is_404_to_the_public_and_to_readers(
    client, three_kinds, reader, kind
):
    url = three_kinds[kind].get_absolute_url()

    assert client.get(url).status_code == 404
    client.force_login(reader)
    assert client.get(url).status_code == 404


def test_staff_preview_a_draft_with_a_banner(client, three_kinds, editor):
    client.force_login(editor)

    response = client.get(three_kinds["draft"].get_absolute_url())

    assert response.status_code == 200
    assert "Preview: this article is draft" in response.content.decode()


def test_a_scheduled_article_appears_by_itself_when_its_time_comes(client, db):
    at = timezone.now() + timedelta(hours=2)
    ArticleFactory(slug="tomorrow", status=Article.Status.SCHEDULED, published_at=at)

    assert client.get("/articles/tomorrow/").status_code == 404
    with time_machine.travel(at + timedelta(minutes=1)):
        assert client.get("/articles/tomorrow/").status_code == 200
        assert "tomorrow" in client.get("/").content.decode()
        assert "tomorrow" in client.get("/feed/").content.decode()
        assert "tomorrow" in client.get("/sitemap.xml").content.decode()


def test_unknown_article_and_topic_are_404(client, db):
    assert client.get("/articles/no-such-story/").status_code == 404
    assert client.get("/topics/no-such-topic/").status_code == 404


def test_home_paginates_latest_first(client, db, settings):
    settings.ARTICLES_PER_PAGE = 2
    now = timezone.now()
    for i in range(5):
        ArticleFactory(
            slug=f"s{i}", title=f"Story {i}", published_at=now - timedelta(hours=i + 1)
        )

    first = client.get("/").content.decode()
    third = client.get("/?page=3").content.decode()

    assert first.index("Story 0") < first.index("Story 1")
    assert "Story 2" not in first
    assert "Story 4" in third
    assert client.get("/?page=999").status_code == 200  # last page, not an error
    assert client.get("/?page=abc").status_code == 200


def test_home_costs_the_same_queries_for_3_and_30_articles(
    client, db, django_assert_num_queries
):
    ArticleFactory.create_batch(3)
    client.get("/")  # warm session and content-type caches
    with django_assert_num_queries(3) as small:
        client.get("/")
    ArticleFactory.create_batch(27)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/")


def test_feed_links_and_describes_each_article(client, article):
    rss = client.get("/feed/")
    atom = client.get("/feed/atom/")

    assert rss["Content-Type"].startswith("application/rss+xml")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "/articles/chips-and-the-state/" in rss.content.decode()
    assert "<title>Chips and the state</title>" in rss.content.decode()


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin(client, db):
    body = client.get("/robots.txt").content.decode()

    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
