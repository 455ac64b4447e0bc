"""Reply and follower e-mails: once, after approval, with a working unsubscribe."""

import re

import pytest
from django.core import mail

from comments.models import Comment
from comments.services import article_follow, comment_set_status
from comments.tasks import notify_comment_approved
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(post, article, reader):
    return post(article=article, author=reader, body="The sanctions look idiotic.")


def test_the_reply_email_goes_out_once_and_only_after_approval(
    thread, article, other_reader, django_capture_on_commit_callbacks
):
    from comments.services import comment_post

    with django_capture_on_commit_callbacks(execute=False) as pending_work:
        reply = comment_post(
            article=article, author=other_reader, body="Why?", parent_id=thread.pk
        )
    assert mail.outbox == []  # saved, not yet decided

    with django_capture_on_commit_callbacks(execute=True):
        for callback in pending_work:
            callback()
    reply.refresh_from_db()
    assert reply.status == Comment.Status.APPROVED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa@example.org"]
    assert message.subject == (
        f'{other_reader.public_name} replied to your comment on "Chips and the state"'
    )
    assert f"#comment-{reply.pk}" in message.body

    notify_comment_approved.apply(args=[reply.pk])  # a redelivered task
    assert len(mail.outbox) == 1


def test_a_held_reply_sends_nothing_until_a_moderator_approves_it(
    thread, article, other_reader, post, django_capture_on_commit_callbacks
):
    article.discussion_policy = "premoderated"
    article.save()
    reply = post(article=article, author=other_reader, body="Held", parent_id=thread.pk)
    assert reply.status == Comment.Status.HELD
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        comment_set_status(comment_id=reply.pk, status=Comment.Status.APPROVED)

    assert len(mail.outbox) == 1


def test_no_email_for_replying_to_yourself_or_with_the_preference_off(
    thread, article, reader, other_reader, post
):
    post(
        article=article,
        author=reader,
        body="Adding to my own point",
        parent_id=thread.pk,
    )
    reader.reply_emails = False
    reader.save()
    post(article=article, author=other_reader, body="Replying", parent_id=thread.pk)

    assert mail.outbox == []


def test_the_unsubscribe_link_turns_reply_emails_off(
    client, thread, article, reader, other_reader, post
):
    post(article=article, author=other_reader, body="Reply one", parent_id=thread.pk)
    message = mail.outbox[0]
    link = re.search(r"https?://[^/\s]+(/comments/unsubscribe/\S+/)", message.body)
    assert link, message.body
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )

    page = client.get(link.group(1))
    assert "Stop e-mails about replies" in page.content.decode()
    reader.refresh_from_db()
    assert reader.reply_emails is True  # a GET (a mail scanner) changes nothing

    done = client.post(link.group(1))  # the button, or the mail client's one click
    assert done.status_code == 200
    reader.refresh_from_db()
    assert reader.reply_emails is False
    post(article=article, author=other_reader, body="Reply two", parent_id=thread.pk)
    assert len(mail.outbox) == 1


def test_a_forged_unsubscribe_link_is_refused(client, reader):
    response = client.post("/comments/unsubscribe/not-a-real-token/")

    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.reply_emails is True


def test_followers_hear_of_each_new_comment_and_can_stop(
    client, post, reader, other_reader
):
    article = ArticleFactory()
    article_follow(article=article, user=reader, follow=True)

    post(article=article, author=other_reader, body="New voice")

    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]
    link = re.search(r"(/comments/unsubscribe/\S+/)", mail.outbox[0].body).group(1)
    client.post(link)
    post(article=article, author=other_reader, body="Another voice")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "name",
    ["Sam\nBcc: victim@example.org", "Sam\n\nYour account is suspended", "Sam\u202e"],
)
def test_a_name_cannot_forge_the_subject_or_the_lines_under_it(
    thread, article, other_reader, post, name
):
    # Stored before display names were checked; a guest name is the same risk.
    type(other_reader).objects.filter(pk=other_reader.pk).update(display_name=name)
    other_reader.refresh_from_db()

    post(article=article, author=other_reader, body="A reply", parent_id=thread.pk)

    (message,) = mail.outbox
    assert "\n" not in message.subject
    assert "\u202e" not in message.subject
    assert message.subject.startswith("Sam")
    assert message.body.startswith("Hello ")
    assert "suspended" not in message.body.split("\n")[0]
