"""The holes a hostile reader finds in posting, voting, flagging and editing,
each closed: tried through the services and the pages and API they serve."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, Vote
from comments.services import comment_edit, comment_post, comment_vote
from moderation import bans, services
from moderation.models import Flag, TrustedFlagger
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]


@pytest.fixture
def mod(db):
    return UserFactory(
        username="mod", is_staff=True, groups=[Group.objects.get(name="Moderators")]
    )


def _ban(user, mod, *, shadow: bool) -> None:
    until = timezone.now() + timedelta(days=7)
    bans.user_ban(user=user, moderator=mod, reason="Abuse", until=until,
                      shadow=shadow)  # fmt: skip
    user.refresh_from_db()


def test_a_banned_reader_can_neither_vote_nor_flag(article, reader, regular, mod):
    comment = add_comment(article, regular)
    _ban(reader, mod, shadow=False)

    with pytest.raises(PermissionDenied, match="banned"):
        comment_vote(comment=comment, user=reader, value=1)
    with pytest.raises(PermissionDenied, match="banned"):
        services.flag_comment(comment=comment, user=reader, reason="abuse")
    comment.refresh_from_db()
    assert comment.score == 0
    assert not Flag.objects.exists()


def test_a_shadow_banned_readers_votes_and_flags_move_nothing_others_see(
    article, reader, regular, mod, settings
):
    settings.MODERATION_FLAGS_TO_HOLD = 1
    comment = add_comment(article, regular)
    _ban(reader, mod, shadow=True)

    score, mine = comment_vote(comment=comment, user=reader, value=-1)
    services.flag_comment(comment=comment, user=reader, reason="abuse")

    assert (score, mine) == (0, -1)  # they see their vote; nobody sees it count
    comment.refresh_from_db()
    assert comment.score == 0
    assert comment.status == Comment.Status.APPROVED  # one flag would hold it
    assert Vote.objects.get().counted is False
    # Lifted, the reader's next vote counts, and the old one never did.
    bans.user_unban(user=reader, moderator=mod)
    reader.refresh_from_db()
    assert comment_vote(comment=comment, user=reader, value=1) == (1, 1)


def test_a_comment_under_an_article_taken_down_goes_with_it(
    client, reader, regular, article
):
    comment = add_comment(article, regular, body="Said under the story")
    mine = add_comment(article, reader)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    comment.refresh_from_db()
    mine.refresh_from_db()
    client.force_login(reader)

    for url in [
        reverse("comments:permalink", args=[comment.pk]),
        reverse("comments:replies", args=[comment.pk]),
        f"/api/v1/comments/{comment.pk}/",
        f"/api/v1/comments/{comment.pk}/replies/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(
        f"/api/v1/comments/{comment.pk}/vote/", {"value": 1},
        content_type="application/json",
    ).status_code == 404  # fmt: skip
    with pytest.raises(ValidationError):
        comment_vote(comment=comment, user=reader, value=1)
    with pytest.raises(ValidationError):
        services.flag_comment(comment=comment, user=reader, reason="abuse")
    with pytest.raises(PermissionDenied, match="not published"):
        comment_edit(comment=mine, user=reader, body="A change")


def test_an_edit_does_not_release_a_comment_readers_flagged_into_the_queue(
    article, reader, regular, settings, django_capture_on_commit_callbacks
):
    settings.MODERATION_FLAGS_TO_HOLD = 2
    mine = add_comment(article, reader, body="A sharp remark")
    for flagger in UserFactory.create_batch(2):
        services.flag_comment(comment=mine, user=flagger, reason="abuse")
    mine.refresh_from_db()
    assert mine.status == Comment.Status.HELD

    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(comment=mine, user=reader, body="A sharp remark.")

    mine.refresh_from_db()
    assert mine.status == Comment.Status.HELD
    assert mine.revision == 2
    assert mine.body == "A sharp remark."


def test_a_shadow_banned_author_answers_their_own_comment_as_if_nothing_were_wrong(
    post, article, regular, mod
):
    _ban(regular, mod, shadow=True)
    mine = post(article=article, author=regular, body="My first point")
    assert mine.shadowed

    reply = post(
        article=article, author=regular, body="And a second", parent_id=mine.pk
    )

    assert reply.parent_id == mine.pk
    assert reply.shadowed


@pytest.mark.parametrize(
    "body",
    [
        "\u200b\u200b\u200b",  # zero-width spaces
        "\u3164\u3164",  # Hangul fillers
        "\u115f\u1160 \ufeff",
        "[](https://example.org)",  # a link with no text renders to nothing
        "**​**",
    ],
)
def test_a_body_that_would_show_nothing_is_refused(article, reader, body):
    with pytest.raises(ValidationError, match=r"(?i)write something"):
        comment_post(article=article, author=reader, body=body)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u2066", "\u2069"])
def test_a_direction_override_is_refused_with_its_code_point(article, reader, control):
    with pytest.raises(ValidationError, match=f"U\\+{ord(control):04X}"):
        comment_post(article=article, author=reader, body=f"evil{control}txt.exe")


def test_a_huge_body_is_refused_before_any_work_is_spent_on_it(client, article, reader):
    huge = "\x07" + "x" * 2_400_000  # a control character would be found later
    with pytest.raises(ValidationError, match="Keep it to 5,000 characters"):
        comment_post(article=article, author=reader, body=huge)

    client.force_login(reader)
    page = client.post(reverse("comments:post", args=[article.slug]), {"body": huge})
    assert page.status_code == 400
    assert "Keep it to 5,000 characters" in page.content.decode()
    assert not Comment.objects.exists()


def test_a_flood_is_refused_before_the_text_is_read(article, reader, settings):
    settings.COMMENT_THROTTLE_RATE = "2/minute"
    for n in range(2):
        with pytest.raises(ValidationError):
            comment_post(article=article, author=reader, body=f"bad\x07{n}")

    from core.exceptions import RateLimited

    with pytest.raises(RateLimited):
        comment_post(article=article, author=reader, body="Finally a good one")


def test_an_idempotency_key_names_one_post_on_one_article(article, reader):
    first = comment_post(article=article, author=reader, body="Same words",
                         idempotency_key="k-1")  # fmt: skip
    other = comment_post(article=ArticleFactory(), author=reader,
                         body="Other words", idempotency_key="k-1")  # fmt: skip
    again = comment_post(article=article, author=reader, body="Same words",
                         idempotency_key="k-1")  # fmt: skip

    assert other.pk != first.pk
    assert other.article_id != first.article_id
    assert again.pk == first.pk


def test_three_fresh_accounts_cannot_hold_a_comment_a_trusted_flagger_can(
    article, regular, settings
):
    settings.MODERATION_FLAGS_TO_HOLD = 3
    comment = add_comment(article, regular, body="An unpopular but fair view")
    puppets = UserFactory.create_batch(3, date_joined=timezone.now())

    for puppet in puppets:
        services.flag_comment(comment=comment, user=puppet, reason="abuse")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    trusted = UserFactory()
    TrustedFlagger.objects.create(user=trusted)
    services.flag_comment(comment=comment, user=trusted, reason="abuse")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_a_reader_whose_flags_moderators_turn_down_counts_half(
    article, regular, mod, settings
):
    settings.MODERATION_FLAGS_TO_HOLD = 2
    habitual, fair = UserFactory(), UserFactory()
    for n in range(3):  # three flags, each turned down by a moderator
        flagged = add_comment(article, regular, body=f"Fine remark {n}")
        services.flag_comment(comment=flagged, user=habitual, reason="abuse")
        services.moderator_decide(comment=flagged, moderator=mod, action="approve")

    target = add_comment(article, regular, body="Another fine remark")
    services.flag_comment(comment=target, user=habitual, reason="abuse")
    target.refresh_from_db()
    assert target.status == Comment.Status.APPROVED  # 0.5 of 2
    services.flag_comment(comment=target, user=fair, reason="abuse")
    target.refresh_from_db()
    assert target.status == Comment.Status.APPROVED  # 1.5 of 2
    services.flag_comment(comment=target, user=UserFactory(), reason="abuse")
    target.refresh_from_db()
    assert target.status == Comment.Status.HELD
    assert Flag.objects.filter(user=habitual, upheld=False).count() == 3
