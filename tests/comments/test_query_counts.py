"""Every discussion page and comments endpoint costs the same queries for a
small discussion and a large one, anonymous or signed in."""

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.selectors import SORTS
from tests.api.conftest import json_client
from tests.comments.helpers import add_comment, grow
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _discussions(authors):
    """A discussion of 10 comments and one of 200, each with a long thread."""
    made = []
    for top_level, replies_each in [(2, 4), (8, 24)]:
        article = ArticleFactory()
        grow(article, authors, top_level=top_level, replies_each=replies_each)
        # The reader's own hidden comment, laid over the shared page.
        add_comment(article, authors[0], status=Comment.Status.HELD)
        top = Comment.objects.filter(article=article, depth=0).order_by("id").first()
        made.append((article, top))
    return made


def _counts(get, urls, budget, django_assert_max_num_queries) -> list[int]:
    counts = []
    for url in urls:
        # The shared copy is built once, the article remembered from the
        # second read; then both are only read.
        get(url)
        get(url)
        with django_assert_max_num_queries(budget) as captured:
            assert get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    return counts


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_of_every_page_costs_the_same_for_10_or_200_comments(
    client, django_assert_max_num_queries, signed, sort
):
    authors = UserFactory.create_batch(4)
    if signed:
        client.force_login(authors[0])
    made = _discussions(authors)
    pages = [f"{a.get_absolute_url()}?sort={sort}" for a, _ in made]
    threads = [f"{a.get_absolute_url()}?thread={top.pk}" for a, top in made]
    replies = [reverse("comments:replies", args=[top.pk]) for _, top in made]
    # Signed in: whether they follow it, their hidden comments, their votes,
    # and the replies under their hidden top-level comment. A thread's
    # replies: the session, the root, the replies.
    for urls, budget in [(pages, 4), (threads, 4), (replies, 4)]:
        counts = _counts(client.get, urls, budget, django_assert_max_num_queries)
        assert counts[0] == counts[1], urls


@pytest.mark.parametrize("signed", [False, True])
def test_every_comments_endpoint_costs_the_same_for_10_or_200_comments(
    django_assert_max_num_queries, signed
):
    authors = UserFactory.create_batch(4)
    app = json_client()
    if signed:
        app.force_authenticate(authors[0])
    made = _discussions(authors)
    for sort in SORTS:
        urls = [f"/api/v1/articles/{a.slug}/comments/?sort={sort}" for a, _ in made]
        # signed in: the reader's groups, hidden comments, votes, and the
        # replies under their hidden top-level comment
        counts = _counts(app.get, urls, 4, django_assert_max_num_queries)
        assert counts[0] == counts[1]
    urls = [f"/api/v1/comments/{top.pk}/replies/" for _, top in made]
    counts = _counts(app.get, urls, 4, django_assert_max_num_queries)
    assert counts[0] == counts[1]
