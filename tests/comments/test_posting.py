"""Posting, replying, editing and deleting: the rules every interface shares."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles.models import Article
from comments.models import MAX_DEPTH, Comment
from comments.services import comment_delete, comment_edit, comment_post
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_comment_is_saved_pending_and_approved_once_moderation_runs(
    article, reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment = comment_post(article=article, author=reader, body="First!")
        assert comment.status == Comment.Status.PENDING

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # nothing decided before commit
    for callback in callbacks:  # the commit: moderation gets it now
        callback()
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert article.comment_count == 1


def test_replies_take_their_place_under_the_parent_at_every_depth(
    post, article, reader
):
    chain = [post(article=article, author=reader, body="level 0")]
    for level in range(1, MAX_DEPTH):
        chain.append(
            post(
                article=article,
                author=reader,
                body=f"level {level}",
                parent_id=chain[-1].pk,
            )
        )

    for level, comment in enumerate(chain):
        assert comment.depth == level
        assert comment.root_id == chain[0].pk
        assert comment.path.startswith(chain[level - 1].path if level else "")
    assert [c.pk for c in Comment.objects.in_thread_order()] == [c.pk for c in chain]


def test_a_reply_below_the_display_depth_hangs_at_the_last_level(post, article, reader):
    parent = post(article=article, author=reader, body="0")
    for level in range(1, MAX_DEPTH):
        parent = post(
            article=article, author=reader, body=str(level), parent_id=parent.pk
        )

    deep = post(article=article, author=reader, body="too deep", parent_id=parent.pk)

    assert deep.depth == MAX_DEPTH - 1
    assert deep.parent_id == parent.pk  # it still answers the comment it replied to
    assert deep.tree_parent_path == parent.tree_parent_path
    order = list(Comment.objects.in_thread_order().values_list("pk", flat=True))
    assert order.index(deep.pk) == order.index(parent.pk) + 1


def test_counters_follow_approved_replies(post, article, reader, other_reader):
    top = post(article=article, author=reader, body="top")
    post(article=article, author=other_reader, body="reply one", parent_id=top.pk)
    post(article=article, author=other_reader, body="reply two", parent_id=top.pk)

    top.refresh_from_db()
    article.refresh_from_db()
    assert top.reply_count == 2
    assert article.comment_count == 3


def test_reply_to_a_comment_on_another_article_is_refused(post, article, reader):
    elsewhere = post(article=ArticleFactory(), author=reader, body="over there")

    with pytest.raises(ValidationError, match="another article"):
        comment_post(article=article, author=reader, body="hi", parent_id=elsewhere.pk)
    assert Comment.objects.count() == 1


def test_reply_to_someone_elses_pending_comment_is_refused(
    article, reader, other_reader
):
    hidden = comment_post(article=article, author=other_reader, body="waiting")

    with pytest.raises(ValidationError, match="does not exist"):
        comment_post(article=article, author=reader, body="hi", parent_id=hidden.pk)


def test_reader_may_reply_to_their_own_pending_comment(article, reader):
    mine = comment_post(article=article, author=reader, body="waiting")

    reply = comment_post(
        article=article, author=reader, body="addendum", parent_id=mine.pk
    )

    assert reply.parent_id == mine.pk


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"discussion_policy": Article.DiscussionPolicy.CLOSED}, "closed"),
        ({"status": Article.Status.DRAFT}, "closed"),
        ({"published_at": timezone.now() - timedelta(days=40),
          "comments_close_after_days": 30}, "closed"),
    ],
)  # fmt: skip
def test_an_article_that_does_not_accept_comments_refuses_them(
    reader, changes, message
):
    article = ArticleFactory(**changes)

    with pytest.raises(ValidationError, match=message):
        comment_post(article=article, author=reader, body="hello")
    assert not Comment.objects.exists()


def test_a_banned_reader_is_told_why_and_until_when(article, reader):
    reader.banned_until = timezone.now() + timedelta(days=3)
    reader.ban_reason = "Repeated personal attacks."
    reader.save()

    with pytest.raises(
        PermissionDenied, match=r"banned from commenting until .*personal"
    ):
        comment_post(article=article, author=reader, body="hello")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something"),
        ("   \n\t  ", "Write something"),
        ("x" * 5001, "5,000 characters"),
        ("null\x00byte", "U+0000"),
        ("bell\x07", "U+0007"),
        ("escape\x1b[31m", "U+001B"),
    ],
)
def test_bodies_that_are_empty_too_long_or_hide_control_characters_are_refused(
    article, reader, body, message
):
    with pytest.raises(ValidationError, match=re.escape(message)):
        comment_post(article=article, author=reader, body=body)
    assert not Comment.objects.exists()


def test_five_thousand_characters_after_normalising_is_fine(article, reader):
    comment = comment_post(
        article=article, author=reader, body="  " + "é" * 5000 + "\r\n"
    )

    assert len(comment.body) == 5000


def test_the_same_idempotency_key_posts_once(article, reader):
    first = comment_post(
        article=article, author=reader, body="once", idempotency_key="k1"
    )
    again = comment_post(
        article=article, author=reader, body="once", idempotency_key="k1"
    )

    assert again.pk == first.pk
    assert Comment.objects.count() == 1


def test_another_readers_identical_key_does_not_collide(article, reader, other_reader):
    comment_post(article=article, author=reader, body="mine", idempotency_key="k1")
    theirs = comment_post(
        article=article, author=other_reader, body="theirs", idempotency_key="k1"
    )

    assert theirs.body == "theirs"
    assert Comment.objects.count() == 2


def test_the_same_text_again_is_refused_however_it_is_dressed_up(article, reader):
    comment_post(article=article, author=reader, body="Great piece.")

    with pytest.raises(ValidationError, match="already posted this same comment here"):
        comment_post(article=article, author=reader, body="GREAT piece!!")
    assert Comment.objects.count() == 1


def test_numbers_that_differ_make_different_comments(article, reader):
    comment_post(article=article, author=reader, body="The fine was 10 euros.")
    comment_post(article=article, author=reader, body="The fine was 1000 euros.")
    comment_post(article=article, author=reader, body="Section 111 says so.")
    comment_post(article=article, author=reader, body="Section 1 says so.")

    assert Comment.objects.count() == 4
    with pytest.raises(ValidationError, match="already posted"):
        comment_post(article=article, author=reader, body="the fine was 1000 EUROS")


def test_a_long_text_repeated_on_another_article_is_refused(article, reader):
    elsewhere = ArticleFactory(title="Another story")
    comment_post(
        article=elsewhere, author=reader, body="Buy my course at once, friends!"
    )

    with pytest.raises(ValidationError, match="on “Another story”"):
        comment_post(
            article=article, author=reader, body="buy my COURSE at once friends"
        )


def test_a_short_answer_may_be_given_to_different_comments(
    article, reader, other_reader
):
    first = add_comment(article, other_reader, body="Point one")
    second = add_comment(article, other_reader, body="Point two")
    comment_post(article=article, author=reader, body="Agreed.", parent_id=first.pk)

    comment_post(article=article, author=reader, body="Agreed.", parent_id=second.pk)
    comment_post(article=ArticleFactory(), author=reader, body="Agreed.")
    with pytest.raises(ValidationError, match="already posted"):
        comment_post(article=article, author=reader, body="agreed", parent_id=first.pk)


def test_a_repeat_is_allowed_again_after_the_window(article, reader, settings):
    comment_post(article=article, author=reader, body="Great piece.")

    later = timezone.now() + settings.COMMENT_DUPLICATE_WINDOW + timedelta(minutes=1)
    with time_machine.travel(later):
        comment_post(article=article, author=reader, body="Great piece.")
    assert Comment.objects.count() == 2


def test_a_guest_repeat_is_matched_by_address(article, settings):
    guest = {"author": None, "guest_name": "Ann", "guest_email": "ann@example.org"}
    comment_post(article=article, body="Hello there", **guest)

    with pytest.raises(ValidationError, match="already posted"):
        comment_post(article=article, body="hello there", **guest)
    comment_post(
        article=article, body="hello there", author=None, guest_name="Bo",
        guest_email="bo@example.org",
    )  # fmt: skip


def test_guest_comments_need_a_name_and_email_and_the_first_is_held(post, article):
    with pytest.raises(ValidationError, match="e-mail"):
        comment_post(article=article, author=None, body="hi", guest_name="Ann")

    first = post(
        article=article,
        author=None,
        body="hi",
        guest_name="Ann",
        guest_email="ann@example.org",
    )

    assert first.status == Comment.Status.HELD
    assert first.author_name == "Ann"


def test_guests_are_refused_when_the_site_turns_guest_comments_off(article, settings):
    settings.GUEST_COMMENTS = False

    with pytest.raises(PermissionDenied, match="Sign in"):
        comment_post(
            article=article,
            author=None,
            body="hi",
            guest_name="Ann",
            guest_email="ann@example.org",
        )


def test_premoderated_article_holds_every_comment(post, reader):
    article = ArticleFactory(discussion_policy=Article.DiscussionPolicy.PREMODERATED)

    comment = post(article=article, author=reader, body="hello")

    assert comment.status == Comment.Status.HELD
    article.refresh_from_db()
    assert article.comment_count == 0


def test_editing_within_the_window_rerenders_and_goes_back_to_moderation(
    post, article, reader, django_capture_on_commit_callbacks
):
    comment = post(article=article, author=reader, body="teh typo")

    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment=comment, user=reader, body="the **fix**")

    comment.refresh_from_db()
    assert comment.body_html == "<p>the <strong>fix</strong></p>\n"
    assert comment.edited_at is not None
    assert comment.revision == 2
    assert comment.status == Comment.Status.APPROVED  # decided again
    article.refresh_from_db()
    assert article.comment_count == 1


def test_editing_after_the_window_or_someone_elses_comment_is_refused(
    post, article, reader, other_reader
):
    comment = post(article=article, author=reader, body="original")

    with pytest.raises(PermissionDenied, match="your own"):
        comment_edit(comment=comment, user=other_reader, body="defaced")
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=16)),
        pytest.raises(PermissionDenied, match="15 minutes"),
    ):
        comment_edit(comment=comment, user=reader, body="too late")
    comment.refresh_from_db()
    assert comment.body == "original"


def test_deleting_keeps_the_node_and_its_replies_but_erases_the_text(
    post, article, reader, other_reader
):
    top = post(article=article, author=reader, body="regrettable")
    reply = post(article=article, author=other_reader, body="a reply", parent_id=top.pk)

    comment_delete(comment=top, user=reader)

    top.refresh_from_db()
    assert top.is_deleted
    assert top.body == ""
    assert top.body_html == ""
    reply.refresh_from_db()
    assert reply.parent_id == top.pk
    article.refresh_from_db()
    assert article.comment_count == 1  # the reply still counts, the deleted one not


def test_a_deleted_comment_takes_no_replies(post, article, reader, other_reader):
    top = post(article=article, author=reader, body="gone soon")
    comment_delete(comment=top, user=reader)

    with pytest.raises(ValidationError, match="deleted"):
        comment_post(article=article, author=other_reader, body="hi", parent_id=top.pk)
