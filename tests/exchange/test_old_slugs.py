"""Imports find an article by the slug or link it had before its address changed."""

import pytest

from comments.models import Comment
from tests.factories import ArticleFactory

from .builders import C, Post, wxr
from .test_disqus import disqus, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(db):
    article = ArticleFactory(slug="budget-vote")
    article.slug = "council-budget-vote"
    article.save()
    return article


def test_wordpress_post_named_by_its_old_slug_goes_under_the_moved_article(run, moved):
    out, _ = run("import_wordpress", wxr(Post(1, "budget-vote", comments=[C(1)])))
    assert out.strip().startswith("imported 1,")
    assert Comment.objects.get().article == moved


def test_wordpress_post_matched_by_its_old_link_alone(run, moved):
    text = wxr(
        Post(1, "", link="https://old.example.org/2020/05/budget-vote/",
             comments=[C(1)])
    )  # fmt: skip
    run("import_wordpress", text)
    assert Comment.objects.get().article == moved


def test_a_current_slug_wins_over_an_old_one(run, moved):
    # Another article now has the moved article's very first slug.
    other = ArticleFactory.build(slug="budget-vote", author=moved.author)
    other.save()  # saved in code, past the form's check: the live one wins
    run("import_wordpress", wxr(Post(1, "budget-vote", comments=[C(1)])))
    assert Comment.objects.get().article == other


def test_disqus_thread_matched_by_its_old_link(run, moved):
    text = disqus(post("1"), link="https://news.example/articles/budget-vote/")
    run("import_disqus", text)
    assert Comment.objects.get().article == moved
