"""Readers flag; moderators decide, ban and are recorded doing it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.selectors import discussion_page
from moderation import bans, selectors, services
from moderation.classifiers import spam
from moderation.classifiers.spam import SpamClassifier
from moderation.models import AuditEntry, Flag, SpamToken
from tests.comments.helpers import add_comment
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]


@pytest.fixture
def mod(db):
    return UserFactory(
        username="mod", is_staff=True, groups=[Group.objects.get(name="Moderators")]
    )


def test_three_readers_flags_hold_an_approved_comment(article, regular):
    comment = add_comment(article, regular, body="Borderline remark")
    flaggers = UserFactory.create_batch(3)

    for user, reason in zip(flaggers, ["abuse", "abuse", "spam"], strict=True):
        services.flag_comment(comment=comment, user=user, reason=reason)

    comment.refresh_from_db()
    assert comment.status == "held"
    entry = AuditEntry.objects.get(comment=comment)
    assert entry.reasons == ["Flagged by 3 readers (2 × abuse, 1 × spam)."]
    article.refresh_from_db()
    assert article.comment_count == 0


def test_a_reader_flags_once(article, regular, reader):
    comment = add_comment(article, regular)
    services.flag_comment(comment=comment, user=reader, reason="spam")

    with pytest.raises(services.AlreadyFlagged):
        services.flag_comment(comment=comment, user=reader, reason="abuse")
    assert Flag.objects.count() == 1


def test_the_flag_page_records_the_flag_and_refuses_a_second(
    client, article, regular, reader
):
    comment = add_comment(article, regular)
    client.force_login(reader)
    url = reverse("moderation:flag", args=[comment.pk])

    first = client.post(url, {"reason": "off_topic", "note": "Not about chips"})
    second = client.post(url, {"reason": "abuse"})

    assert first.status_code == 302
    assert second.status_code == 409
    assert "already flagged" in second.content.decode()
    assert Flag.objects.get().note == "Not about chips"


def test_moderator_approval_is_final_and_trains_the_spam_model(
    post, article, mod, django_capture_on_commit_callbacks
):
    newcomer = UserFactory()
    held = post(article=article, author=newcomer, body="Cheap watches at cheapwatch")
    assert held.status == "held"

    with django_capture_on_commit_callbacks(execute=True):
        services.moderator_decide(comment=held, moderator=mod, action="spam")

    held.refresh_from_db()
    assert held.status == "spam"
    assert SpamToken.objects.get(token="cheapwatch").spam == 1
    assert SpamToken.objects.get(token="__docs__").spam == 1
    trail = list(
        AuditEntry.objects.filter(comment=held).values_list(
            "actor_name", "before", "after"
        )
    )
    assert trail == [("machine", "pending", "held"), ("mod", "held", "spam")]


def test_the_spam_model_learns_to_spot_spam_from_decisions(mod, article):
    for i in range(6):
        spam.learn(
            text=f"cheap watches replica deal {i} https://spam.example", is_spam=True
        )
        spam.learn(
            text=f"the export rule {i} hurts allies, say analysts", is_spam=False
        )

    classifier = SpamClassifier()
    assert (
        classifier.score("replica watches cheap deal https://spam.example").score > 0.9
    )
    assert classifier.score("analysts say the export rule hurts allies").score < 0.1


def test_readers_cannot_decide_or_ban(article, regular, reader):
    comment = add_comment(article, regular)

    with pytest.raises(PermissionDenied):
        services.moderator_decide(comment=comment, moderator=reader, action="reject")
    with pytest.raises(PermissionDenied):
        bans.user_ban(user=regular, moderator=reader, reason="no")


def test_a_banned_reader_is_refused_and_the_ban_is_logged(post, article, regular, mod):
    bans.user_ban(
        user=regular,
        moderator=mod,
        reason="Harassment",
        until=timezone.now() + timedelta(days=7),
    )

    with pytest.raises(PermissionDenied, match="banned"):
        post(article=article, author=regular, body="Let me back in")
    entry = AuditEntry.objects.get(action="ban")
    assert entry.subject_user == regular
    assert entry.actor_name == "mod"
    assert "Harassment" in entry.reasons[0]


def test_a_shadow_banned_author_sees_their_comment_and_nobody_else_does(
    post, article, regular, reader, mod
):
    bans.user_ban(user=regular, moderator=mod, reason="Troll", shadow=True)

    comment = post(article=article, author=regular, body="Nobody hears me")

    assert comment.status == "rejected"
    assert comment.shadowed
    assert comment.status_for_author == "approved"
    mine = discussion_page(article=article, user=regular).threads
    assert [t.comment.pk for t in mine] == [comment.pk]
    assert discussion_page(article=article, user=reader).threads == []
    assert discussion_page(article=article, user=AnonymousUser()).threads == []


def test_the_shadow_banned_author_sees_no_awaiting_label(
    client, post, article, regular, mod
):
    bans.user_ban(user=regular, moderator=mod, reason="Troll", shadow=True)
    post(article=article, author=regular, body="Nobody hears me")
    client.force_login(regular)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Nobody hears me" in html
    assert "Awaiting moderation" not in html


def test_the_audit_log_cannot_be_rewritten(article, regular):
    comment = add_comment(article, regular)
    entry = services.audit(comment=comment, actor=None, action="hold", reasons=["x"])

    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(action="approve")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


def test_a_moderators_decision_resolves_the_flags(article, regular, mod):
    comment = add_comment(article, regular)
    for user in UserFactory.create_batch(3):
        services.flag_comment(comment=comment, user=user, reason="abuse")

    services.moderator_decide(comment=comment, moderator=mod, action="approve")

    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert not selectors.queue().filter(pk=comment.pk).exists()
    assert Comment.objects.get(pk=comment.pk).status == "approved"


def test_many_examples_learned_at_once_count_as_one_at_a_time(
    django_assert_max_num_queries,
):
    examples = [
        ("Cheap watches here https://spam.example", True),
        ("Cheap pills here https://spam.example", True),
        ("The subsidy is cheap compared with the fab", False),
    ]
    with django_assert_max_num_queries(8):
        spam.learn_many(examples)
    at_once = {t.token: (t.spam, t.ham) for t in SpamToken.objects.all()}
    SpamToken.objects.all().delete()
    for text, is_spam in examples:
        spam.learn(text=text, is_spam=is_spam)

    one_by_one = {t.token: (t.spam, t.ham) for t in SpamToken.objects.all()}
    assert at_once == one_by_one
    assert at_once["cheap"] == (2, 1)
    assert at_once["host:spam.example"] == (2, 0)
    assert at_once["__docs__"] == (2, 1)


def test_retrain_spam_rebuilds_the_model_from_moderator_decisions(article, mod, capsys):
    from django.core.management import call_command

    spammy = add_comment(article, UserFactory(), status="held", body="replica watches")
    fine = add_comment(article, UserFactory(), status="held", body="fair analysis")
    services.moderator_decide(comment=spammy, moderator=mod, action="spam")
    services.moderator_decide(comment=fine, moderator=mod, action="approve")
    SpamToken.objects.all().delete()  # a lost or corrupted model

    call_command("retrain_spam")

    assert "from 1 spam and 1 approved" in capsys.readouterr().out
    assert SpamToken.objects.get(token="replica").spam == 1
    assert SpamToken.objects.get(token="fair").ham == 1


def test_flagging_too_fast_is_refused_on_the_page_and_the_api(
    client, article, reader, settings
):
    from rest_framework.test import APIClient

    settings.FLAG_THROTTLE_RATE = "2/hour"
    comments = [add_comment(article, UserFactory()) for _ in range(4)]
    client.force_login(reader)
    for comment in comments[:2]:
        client.post(reverse("moderation:flag", args=[comment.pk]), {"reason": "spam"})

    page = client.post(
        reverse("moderation:flag", args=[comments[2].pk]), {"reason": "spam"}
    )
    api = APIClient()
    api.force_authenticate(reader)
    answer = api.post(
        f"/api/v1/comments/{comments[3].pk}/flags/", {"reason": "spam"}, format="json"
    )

    assert page.status_code == 429
    assert "You are flagging quickly" in page.content.decode()
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) > 0
    assert Flag.objects.count() == 2


def test_voting_too_fast_says_voting(article, reader, settings):
    from comments.services import RateLimited, comment_vote

    settings.VOTE_THROTTLE_RATE = "1/minute"
    first, second = (add_comment(article, UserFactory()) for _ in range(2))
    comment_vote(comment=first, user=reader, value=1)

    with pytest.raises(RateLimited, match="You are voting quickly"):
        comment_vote(comment=second, user=reader, value=1)
