"""The comments endpoint's plain functions answer exactly what the schema's
serializer describes, for every kind of viewer and comment."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from comments import overlay, serialise
from comments.api import CommentSerializer
from comments.models import Comment
from comments.services import comment_delete, comment_vote
from core.renderers import dumps
from tests.comments.helpers import add_comment

pytestmark = pytest.mark.django_db


def _serializer_view(comment, user) -> dict:
    request = APIRequestFactory().get("/")
    request.user = user
    data = dict(CommentSerializer(comment, context={"request": request}).data)
    data.pop("replies")
    return data


def test_the_plain_answer_is_the_serializers_for_every_viewer(
    article, reader, other_reader, moderator
):
    parent = add_comment(article, reader, body="Say “hello” — ünïcode \u2028 too")
    reply = add_comment(article, other_reader, parent=parent)
    Comment.objects.filter(pk=reply.pk).update(edited_at=timezone.now())
    gone = add_comment(article, reader, parent=parent, body="Soon deleted")
    comment_delete(comment=gone, user=reader)
    decided = add_comment(article, other_reader, status=Comment.Status.REJECTED)
    Comment.objects.filter(pk=decided.pk).update(
        shadowed=True,
        decision={"action": "reject", "automated": True, "reasons": ["Shadowed."],
                  "policy": "open", "decided_at": "2025-01-01T00:00:00Z",
                  "appealable_until": None, "appeal": None},
    )  # fmt: skip
    comment_vote(comment=reply, user=reader, value=-1)

    for user in (AnonymousUser(), reader, other_reader, moderator):
        shared = overlay.shared_page(article=article, sort="oldest", cursor=None,
                                     thread_id=None)  # fmt: skip
        page = overlay.reader_page(shared, article=article, user=user).page
        shown = [c for t in page.threads for c in (t.comment, *t.replies)]
        public = {parent.pk, reply.pk, gone.pk}
        # The shadowed, rejected comment (the one with a decision) to its author
        # alone: a discussion page shows moderators what the public sees.
        expected = public | ({decided.pk} if user == other_reader else set())
        assert {c.pk for c in shown} == expected, user
        viewer = user.pk if user.is_authenticated else None
        for c in shown:
            plain = serialise.for_viewer(
                serialise.comment_dict(c, slug=article.slug), c, viewer_id=viewer,
                moderator=getattr(user, "is_moderator", False),
            )  # fmt: skip
            assert plain == _serializer_view(c, user), (user, c.pk)
            assert list(plain) == list(_serializer_view(c, user))
            # And the very bytes DRF's renderer would write.
            drf = JSONRenderer().render(_serializer_view(c, user))
            assert bytes(dumps(plain)) == drf
