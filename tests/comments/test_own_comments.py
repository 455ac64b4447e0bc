"""What an author sees of their own comments, signed in or as a guest, in every
status: never a 404 for their own words, never a badge on a deleted one."""

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.services import comment_delete
from tests.comments.helpers import add_comment

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_guest_posting_with_htmx_sees_their_comment_awaiting_moderation(
    client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:post", args=[article.slug]),
            {"body": "A guest's view", "guest_name": "Ann",
             "guest_email": "ann@example.org"},
            **HTMX,
        )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert "A guest's view" in html
    assert "Awaiting moderation" in html
    assert "Edit" not in html  # a guest has no identity to edit it with later
    assert Comment.objects.get().status == Comment.Status.HELD


def test_a_guest_htmx_reply_is_shown_in_place(
    client, article, other_reader, django_capture_on_commit_callbacks
):
    parent = add_comment(article, other_reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:post", args=[article.slug]),
            {"body": "A guest answers", "parent": parent.pk, "guest_name": "Bo",
             "guest_email": "bo@example.org"},
            **HTMX,
        )  # fmt: skip

    assert response.status_code == 200
    assert 'class="comment depth-1"' in response.content.decode()


@pytest.mark.parametrize(
    ("status", "standing"),
    [
        (Comment.Status.REJECTED, "Not published: rejected in moderation"),
        (Comment.Status.SPAM, "Not published: marked as spam"),
        (Comment.Status.HELD, "Awaiting moderation"),
    ],
)
def test_the_author_opens_their_own_comment_in_every_status(
    client, reader, other_reader, article, status, standing
):
    mine = add_comment(article, reader, status=status, body="My own words")
    permalink = reverse("comments:permalink", args=[mine.pk])
    api = f"/api/v1/comments/{mine.pk}/"

    client.force_login(reader)
    fragment = client.get(permalink, **HTMX)
    assert fragment.status_code == 200
    assert "My own words" in fragment.content.decode()
    assert standing in fragment.content.decode()
    assert client.get(api).json()["status"] == status

    client.force_login(other_reader)
    assert client.get(permalink).status_code == 404
    assert client.get(api).status_code == 404
    client.logout()
    assert client.get(permalink).status_code == 404


def test_a_shadowed_comment_looks_published_to_its_author_alone(
    client, reader, other_reader, article
):
    mine = add_comment(article, reader, status=Comment.Status.REJECTED)
    Comment.objects.filter(pk=mine.pk).update(shadowed=True)

    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{mine.pk}"' in html
    assert "Not published" not in html
    assert client.get(f"/api/v1/comments/{mine.pk}/").json()["status"] == "approved"

    client.force_login(other_reader)
    assert (
        f'id="comment-{mine.pk}"'
        not in client.get(article.get_absolute_url()).content.decode()
    )


def test_a_rejected_comment_can_be_deleted_but_not_edited_or_answered(
    client, reader, article
):
    mine = add_comment(article, reader, status=Comment.Status.REJECTED)
    client.force_login(reader)

    html = client.get(article.get_absolute_url()).content.decode()
    assert f"/comments/{mine.pk}/delete/" in html
    assert f"/comments/{mine.pk}/edit/" not in html
    assert f"/comments/{mine.pk}/reply/" not in html
    assert client.get(reverse("comments:reply", args=[mine.pk])).status_code == 404
    edit = client.post(reverse("comments:edit", args=[mine.pk]), {"body": "Again"})
    assert edit.status_code == 400
    assert "decision stands" in edit.content.decode()


@pytest.mark.parametrize("status", [Comment.Status.PENDING, Comment.Status.APPROVED])
def test_a_deleted_comment_shows_no_badge_and_no_points(
    client, reader, other_reader, article, status
):
    top = add_comment(article, reader, status=status, body="Second thoughts")
    add_comment(article, other_reader, parent=top)  # keeps its place in the thread
    comment_delete(comment=top, user=reader)
    client.force_login(reader)

    html = client.get(article.get_absolute_url()).content.decode()
    start = html.index(f'id="comment-{top.pk}"')
    shown = html[start : html.index("</article>", start)]

    assert "This comment was deleted by its author." in shown
    assert "Awaiting moderation" not in shown
    assert "point" not in shown
    assert "Second thoughts" not in shown
