"""Editors write and publish in the admin; moderators and readers cannot."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from articles.models import Article
from tests.factories import ArticleFactory


@pytest.mark.django_db
def test_editors_and_moderators_groups_exist_after_migrate():
    """Made by moderation.groups after every migrate, with their permissions."""
    editors = Group.objects.get(name="Editors")
    moderators = Group.objects.get(name="Moderators")

    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_article", "change_article", "delete_article", "add_topic"} <= (
        editor_perms
    )
    moderator_perms = set(moderators.permissions.values_list("codename", flat=True))
    assert "change_article" not in moderator_perms
    assert "change_user" not in moderator_perms


@pytest.mark.django_db
def test_a_superuser_is_both_editor_and_moderator():
    boss = User.objects.create_superuser("boss", "boss@example.org", "pw-123456789")

    assert boss.is_editor
    assert boss.is_moderator


def test_editor_writes_a_draft_in_the_admin_and_the_body_is_rendered(client, editor):
    client.force_login(editor)

    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "A new story",
            "slug": "a-new-story",
            "standfirst": "Short.",
            "body": "Hello **world**",
            "author": editor.pk,
            "status": "draft",
            "discussion_policy": "open",
            "published_at_0": "",
            "published_at_1": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="a-new-story")
    assert article.body_html == "<p>Hello <strong>world</strong></p>\n"
    assert client.get("/articles/a-new-story/").status_code == 200  # staff preview
    client.logout()
    assert client.get("/articles/a-new-story/").status_code == 404


def test_scheduling_without_a_time_is_a_form_error(client, editor):
    client.force_login(editor)

    response = client.post(
        "/admin/articles/article/add/",
        {
            "title": "Later",
            "slug": "later",
            "standfirst": "Short.",
            "body": "Body",
            "author": editor.pk,
            "status": "scheduled",
            "discussion_policy": "open",
        },
    )

    assert response.status_code == 200
    assert "A scheduled article needs a publication time." in response.content.decode()
    assert not Article.objects.filter(slug="later").exists()


def test_editor_bulk_publishes_drafts_from_the_list(client, editor):
    drafts = [ArticleFactory(slug=f"d{i}", draft=True) for i in range(2)]
    client.force_login(editor)

    response = client.post(
        "/admin/articles/article/",
        {"action": "publish_now", "_selected_action": [a.pk for a in drafts]},
        follow=True,
    )

    assert "Published 2 article(s)." in response.content.decode()
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == Article.Status.PUBLISHED
        assert client.get(draft.get_absolute_url()).status_code == 200
    client.logout()
    assert "/articles/d0/" in client.get("/feed/").content.decode()


def test_moderator_cannot_edit_articles(client, moderator, article):
    client.force_login(moderator)

    assert client.get(f"/admin/articles/article/{article.pk}/change/").status_code in {
        200,  # read-only view
        403,
    }
    response = client.post(
        f"/admin/articles/article/{article.pk}/change/", {"title": "Defaced"}
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Chips and the state"


def test_staff_without_superuser_cannot_grant_themselves_superuser(client, editor):
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_user", "view_user"])
    )
    client.force_login(editor)

    response = client.post(
        f"/admin/accounts/user/{editor.pk}/change/",
        {
            "username": editor.username,
            "email": editor.email,
            "is_superuser": "on",
            "is_staff": "on",
            "is_active": "on",
            "reply_emails": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302  # the form was accepted...
    editor.refresh_from_db()
    assert editor.is_superuser is False  # ...without the field it may not touch


def test_reader_cannot_reach_the_admin(client, reader):
    client.force_login(reader)

    response = client.get("/admin/articles/article/")

    assert response.status_code == 302
    assert "/admin/login/" in response.url
