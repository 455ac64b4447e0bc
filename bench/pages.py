"""The public pages readers and crawlers hit most: home, article, feed, sitemap."""

from datetime import timedelta

from bench.harness import measure, ok, plain_static_storage, print_row

SIZES = (10, 1000)


def _publication(size: int) -> str:
    from django.utils import timezone

    from accounts.models import User
    from articles.models import Article, Topic

    Article.objects.all().delete()
    author, _ = User.objects.get_or_create(
        username="bench-editor", defaults={"email": "bench@example.org"}
    )
    topics = [
        Topic.objects.get_or_create(slug=f"t{i}", defaults={"name": f"Topic {i}"})[0]
        for i in range(5)
    ]
    body = "\n\n".join(
        ["A paragraph of *analysis* with a [link](https://example.org)."] * 30
    )
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"Story {i}",
            slug=f"story-{i}",
            standfirst="What happened, in two sentences.",
            body=body,
            body_html=f"<p>{body}</p>",
            author=author,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i + 1),
        )
        for i in range(size)
    )
    through = Article.topics.through
    through.objects.bulk_create(
        through(article_id=a.pk, topic_id=topics[i % 5].pk)
        for i, a in enumerate(articles)
    )
    return articles[size // 2].get_absolute_url()


def run() -> None:
    from django.test import Client

    with plain_static_storage():
        _measure_pages(Client())


def _measure_pages(client) -> None:
    from django.conf import settings

    for size in SIZES:
        article_url = _publication(size)
        print(f"\nPublic pages with {size} published articles")  # noqa: T201
        for label, url in [
            ("home, first page", "/"),
            ("home, last page", f"/?page={max(1, size // settings.ARTICLES_PER_PAGE)}"),
            ("article page", article_url),
            ("topic page", "/topics/t1/"),
            ("RSS feed", "/feed/"),
        ]:
            print_row(f"GET {label}", measure(lambda url=url: ok(client.get(url))))
        print_row(
            "GET sitemap.xml, cold", measure(lambda: cold(client, "/sitemap.xml"))
        )
        print_row(
            "GET sitemap.xml, cached", measure(lambda: ok(client.get("/sitemap.xml")))
        )


def cold(client, url: str):
    from django.core.cache import cache

    cache.clear()
    return ok(client.get(url))
