"""The buttons a reader is shown are exactly the actions the services allow."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from comments import services
from comments.models import Comment
from comments.selectors import mark_for_reader
from tests.comments.helpers import add_comment

pytestmark = pytest.mark.django_db

REJECTED = Comment.Status.REJECTED
SITUATIONS = {
    "own, just posted": {"mine": True},
    "own, past the edit window": {"mine": True, "age": timedelta(hours=2)},
    "own, deleted": {"mine": True, "deleted": True},
    "own, held": {"mine": True, "status": Comment.Status.HELD},
    "own, rejected": {"mine": True, "status": REJECTED},
    "own, shadowed": {"mine": True, "status": REJECTED, "shadow": True},
    "another's, published": {},
    "another's, deleted": {"deleted": True},
    "another's, on a closed article": {"closed": True},
}


def _allowed(action) -> bool:
    try:
        with transaction.atomic():
            action()
            transaction.set_rollback(True)
    except (PermissionDenied, ValidationError):
        return False
    return True


@pytest.mark.parametrize("situation", SITUATIONS)
def test_each_button_is_shown_exactly_when_its_action_is_allowed(
    situation, article, reader, other_reader, settings
):
    settings.COMMENT_THROTTLE_RATE = settings.VOTE_THROTTLE_RATE = "1000/minute"
    given = SITUATIONS[situation]
    author = reader if given.get("mine") else other_reader
    comment = add_comment(article, author, status=given.get("status", "approved"))
    Comment.objects.filter(pk=comment.pk).update(
        shadowed=given.get("shadow", False),
        created_at=timezone.now() - given.get("age", timedelta(0)),
    )
    if given.get("deleted"):
        services.comment_delete(comment=comment, user=author)
    if given.get("closed"):
        article.discussion_policy = article.DiscussionPolicy.CLOSED
        article.save()
    comment.refresh_from_db()

    mark_for_reader([comment], reader, article)
    allowed = {
        "edit": _allowed(
            lambda: services.comment_edit(comment=comment, user=reader, body="New")
        ),
        "delete": _allowed(
            lambda: services.comment_delete(comment=comment, user=reader)
        ),
        "vote": _allowed(
            lambda: services.comment_vote(comment=comment, user=reader, value=1)
        ),
        "reply": _allowed(
            lambda: services.comment_post(
                article=article,
                author=reader,
                body="An answer",
                parent_id=comment.pk,
            )
        ),
    }
    shown = {
        "edit": comment.can_edit,
        "delete": comment.can_delete,
        "vote": comment.can_vote,
        "reply": comment.can_reply,
    }
    assert shown == allowed


def test_a_signed_out_reader_is_offered_reply_only(article, other_reader):
    comment = add_comment(article, other_reader)

    mark_for_reader([comment], AnonymousUser(), article)

    assert comment.can_reply  # the form asks for a name, or to sign in
    assert not comment.can_edit
    assert not comment.can_delete
    assert not comment.can_vote
    assert not comment.can_flag


def test_the_edit_button_goes_when_the_window_closes(article, reader, settings):
    comment = add_comment(article, reader)
    later = timezone.now() + settings.COMMENT_EDIT_WINDOW + timedelta(seconds=1)

    with time_machine.travel(later):
        mark_for_reader([comment], reader, article)

    assert not comment.can_edit
    assert not comment.can_delete
