"""An article keeps its discussion when its address changes: the old slug is
kept, its URLs lead to the new ones, and no other article may take it."""

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article, ArticleSlug
from comments.services import comment_import
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _rename(article: Article, slug: str) -> Article:
    article.slug = slug
    article.save()
    return article


@pytest.fixture
def renamed(db):
    """An article first published as old-name, now at new-name, with a comment."""
    article = ArticleFactory(title="The chips story", slug="old-name")
    comment_import(article=article, body="Kept through the move.", guest_name="Ana")
    return _rename(article, "new-name")


def test_a_slug_change_records_the_old_slug(renamed):
    assert list(renamed.old_slugs.values_list("slug", flat=True)) == ["old-name"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/articles/old-name/", "/articles/new-name/"),
        ("/articles/old-name/?sort=top", "/articles/new-name/?sort=top"),
        ("/articles/old-name/comments/feed/", "/articles/new-name/comments/feed/"),
        ("/api/v1/articles/old-name/", "/api/v1/articles/new-name/"),
        (
            "/api/v1/articles/old-name/comments/?sort=newest",
            "/api/v1/articles/new-name/comments/?sort=newest",
        ),
    ],
)
def test_old_urls_answer_301_to_the_new(client, renamed, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_the_discussion_is_still_there_at_the_new_address(client, renamed):
    response = client.get("/articles/old-name/", follow=True)
    assert response.redirect_chain == [("/articles/new-name/", 301)]
    assert "Kept through the move." in response.content.decode()


def test_a_comment_posted_to_the_old_address_is_sent_on_with_its_method(
    client, renamed
):
    response = client.post("/articles/old-name/comments/", {"body": "Hello."})
    assert response.status_code == 308
    assert response["Location"] == "/articles/new-name/comments/"


def test_every_old_slug_leads_straight_to_the_current_one(client, renamed):
    _rename(renamed, "newest-name")
    for old in ("old-name", "new-name"):
        response = client.get(f"/articles/{old}/")
        assert (response.status_code, response["Location"]) == (
            301,
            "/articles/newest-name/",
        )


def test_changing_back_works(client, renamed):
    _rename(renamed, "old-name")
    assert client.get("/articles/old-name/").status_code == 200
    response = client.get("/articles/new-name/")
    assert (response.status_code, response["Location"]) == (301, "/articles/old-name/")
    assert list(renamed.old_slugs.values_list("slug", flat=True)) == ["new-name"]
    renamed.full_clean()  # its own old slug is its own to take back


def test_a_slug_nobody_had_is_still_a_404(client, renamed):
    assert client.get("/articles/never-was/").status_code == 404
    assert client.get("/api/v1/articles/never-was/").status_code == 404


def test_a_drafts_old_address_does_not_reveal_the_new_one(client, editor):
    draft = ArticleFactory(draft=True, slug="draft-first")
    _rename(draft, "draft-second")
    assert client.get("/articles/draft-first/").status_code == 404
    client.force_login(editor)
    assert client.get("/articles/draft-first/")["Location"] == "/articles/draft-second/"


def test_saving_without_the_slug_records_nothing(renamed):
    renamed.title = "A new title"
    renamed.save(update_fields=["title"])
    renamed.save()
    assert ArticleSlug.objects.count() == 1


def test_a_new_article_cannot_take_an_old_slug(renamed):
    article = ArticleFactory.build(slug="old-name", author=renamed.author)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "was the address of “The chips story”" in error.value.message_dict["slug"][0]


def test_the_admin_refuses_an_old_slug_with_a_form_error(client, editor, renamed):
    client.force_login(editor)
    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "Another story",
            "slug": "old-name",
            "standfirst": "Short.",
            "body": "Text.",
            "author": editor.pk,
            "status": "draft",
            "discussion_policy": "open",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "still leads there; choose another slug" in errors["slug"][0]
    assert not Article.objects.filter(title="Another story").exists()
    assert client.get("/articles/old-name/")["Location"] == "/articles/new-name/"


def test_the_admin_renames_and_lists_the_old_address(client, editor):
    article = ArticleFactory(slug="first", author=editor)
    client.force_login(editor)
    page = client.get(f"/admin/articles/article/{article.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        slug="second",
        topics=[],
        published_at_0=article.published_at.strftime("%Y-%m-%d"),
        published_at_1=article.published_at.strftime("%H:%M:%S"),
    )
    response = client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.slug == "second"
    page = client.get(f"/admin/articles/article/{article.pk}/change/")
    assert "first" in page.content.decode()
    assert "old addresses (they lead here)" in page.content.decode().lower()


def test_freeing_an_old_address_in_the_admin_lets_another_article_take_it(
    client, editor, renamed
):
    client.force_login(editor)
    old = renamed.old_slugs.get()
    page = client.get(f"/admin/articles/article/{renamed.pk}/change/")
    form = page.context["adminform"].form
    data = {n: v for n, v in form.initial.items() if n in form.fields and v is not None}
    data.update(
        topics=[],
        published_at_0=renamed.published_at.strftime("%Y-%m-%d"),
        published_at_1=renamed.published_at.strftime("%H:%M:%S"),
        **{
            "old_slugs-TOTAL_FORMS": "1",
            "old_slugs-INITIAL_FORMS": "1",
            "old_slugs-0-id": str(old.pk),
            "old_slugs-0-article": str(renamed.pk),
            "old_slugs-0-DELETE": "on",
        },
    )
    response = client.post(f"/admin/articles/article/{renamed.pk}/change/", data)
    assert response.status_code == 302
    assert not ArticleSlug.objects.exists()
    assert client.get("/articles/old-name/").status_code == 404
    ArticleFactory.build(slug="old-name", author=editor).full_clean()
