"""Surge mode: a story that suddenly gets busy pre-moderates itself, says so to
readers, and goes back when it calms down; moderators may step in."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.services import comment_import
from moderation import services, surge, tasks
from moderation.models import AuditEntry, Surge
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
BANNER = "Comments are checked before they appear while this story is busy."
SURGES = reverse("admin:moderation_surge_changelist")


@pytest.fixture(autouse=True)
def _surge_settings(settings):
    # The defaults, named here so the arithmetic below can be read.
    settings.MODERATION_SURGE_FACTOR = 5
    settings.MODERATION_SURGE_WINDOW_MINUTES = 10
    settings.MODERATION_SURGE_MIN_COMMENTS = 20
    settings.MODERATION_SURGE_FLAGS = 10
    settings.MODERATION_SURGE_COOLDOWN_MINUTES = 15


@pytest.fixture
def commenters(db):
    return UserFactory.create_batch(5)


@pytest.fixture
def story(db):
    """A story a week old with a trickle of comments: two a day."""
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=8))
    author = UserFactory()
    for hours in range(12, 7 * 24, 12):
        earlier(article, author, f"Comment from {hours} hours ago.", hours * 60)
    return article


def earlier(article, author, body: str, minutes_ago: float) -> None:
    when = timezone.now() - timedelta(minutes=minutes_ago)
    comment_import(article=article, author=author, body=body, created_at=when)


def burst(article, authors, count: int) -> None:
    for i in range(count):
        add_comment(article, authors[i % len(authors)], body=f"Burst comment {i}.")


def check() -> dict:
    # What follows the task's commit (the pages' versions moving) runs too.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return tasks.check_surges.apply().get()


def page(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def audited(action: str):
    return AuditEntry.objects.filter(action=action)


def later(minutes: float):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_a_burst_switches_surge_mode_on_and_back_when_the_story_calms(
    client, post, story, commenters, regular
):
    assert BANNER not in page(client, story)  # and the discussion is now cached
    burst(story, commenters, 25)

    with later(0.5):  # the next beat, half a minute on
        assert check() == {"started": 1, "ended": 0}
        assert BANNER in page(client, story)
        held = post(article=story, author=regular, body="Busy in here today.")

    entry = audited("surge_start").get()
    assert entry.actor_name == "machine"
    assert "25 comments in 10 minutes" in entry.reason_text
    assert story.title in entry.reason_text
    assert list(surge.articles_in_surge()) == [story]
    assert held.status == "held"
    assert [r["rule"] for r in held.verdicts.get().reasons] == ["surge"]
    assert "This story is busy" in held.decision["reasons"][0]

    with later(11):  # the burst has left the window: calm, cooling down
        assert check() == {"started": 0, "ended": 0}
        assert BANNER in page(client, story)
    with later(11 + 15):
        assert check() == {"started": 0, "ended": 1}
        assert BANNER not in page(client, story)
        calm = post(article=story, author=regular, body="Quiet again, I see.")

    assert audited("surge_end").get().actor_name == "machine"
    assert Article.objects.get(pk=story.pk).busy_since is None
    assert calm.status == "approved"
    assert not surge.articles_in_surge().exists()


def test_a_story_busy_again_while_cooling_down_stays_in_surge_mode(story, commenters):
    burst(story, commenters, 25)
    check()

    with later(11):
        check()  # calm: the cool-down starts
    with later(20):
        burst(story, commenters, 25)
        check()  # busy again: the cool-down is off
    with later(20 + 11):
        check()
    with later(20 + 11 + 14):
        assert check()["ended"] == 0
    with later(20 + 11 + 15):
        assert check()["ended"] == 1


def test_a_quiet_article_never_trips(client, commenters):
    new = ArticleFactory()
    burst(new, commenters, 5)  # five comments at once on a story with none before

    assert check() == {"started": 0, "ended": 0}
    assert not Surge.objects.exists()
    assert BANNER not in page(client, new)


def test_a_story_always_this_busy_does_not_trip(commenters):
    lively = ArticleFactory(published_at=timezone.now() - timedelta(minutes=60))
    # 100 comments in the 50 minutes before the window: 20 a window as usual.
    for i in range(100):
        earlier(lively, commenters[i % 5], f"Earlier {i}.", 11 + i / 2.5)
    burst(lively, commenters, 60)  # busy, but not five times busier than usual

    assert check()["started"] == 0
    burst(lively, commenters, 40)  # now 100 in the window: five times the usual
    assert check()["started"] == 1


def test_flags_piling_up_switch_surge_mode_on(story, commenters):
    disliked = [
        add_comment(story, commenters[0], body=f"A comment people dislike, {i}.")
        for i in range(5)
    ]
    for i, reader in enumerate(UserFactory.create_batch(10)):
        services.flag_comment(comment=disliked[i % 5], user=reader, reason="abuse")

    assert check()["started"] == 1
    assert (
        "10 readers' flags in 10 minutes still wait for a moderator."
        in audited("surge_start").get().reason_text
    )


@pytest.fixture
def boss(client, moderator):
    """A moderator in the admin with the group's rights, not a superuser's."""
    client.force_login(moderator)
    return moderator


def test_a_moderator_starts_and_ends_surge_mode_by_hand_audited(client, boss, story):
    response = client.post(
        reverse("admin:moderation_surge_add"),
        {"article": story.pk, "reason": "The minister is about to resign."},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Article.objects.get(pk=story.pk).busy_since is not None
    start = audited("surge_start").get()
    assert (start.actor, start.actor_name) == (boss, boss.username)
    assert "The minister is about to resign." in start.reason_text
    listed = client.get(SURGES).content.decode()
    assert f'<td class="field-started_by_name">{boss.username}</td>' in listed
    record = reverse("admin:moderation_surge_change", args=[Surge.objects.get().pk])
    assert "The minister is about to resign." in client.get(record).content.decode()
    # A surge a moderator started is theirs to end: the machine leaves it be.
    with later(60):
        check()
    with later(120):
        assert check()["ended"] == 0

    response = client.post(
        SURGES,
        {"action": "end_surges", "_selected_action": [Surge.objects.get().pk]},
    )

    assert response.status_code == 302
    assert Article.objects.get(pk=story.pk).busy_since is None
    end = audited("surge_end").get()
    assert (end.actor, end.actor_name) == (boss, boss.username)
    assert Surge.objects.get().ended_by == boss


def test_the_admin_refuses_a_second_surge_on_one_article(client, boss, story):
    surge.surge_start(article=story, reason="Busy.")

    response = client.post(
        reverse("admin:moderation_surge_add"), {"article": story.pk, "reason": "Again"}
    )

    assert response.status_code == 200
    assert "has been in surge mode since" in response.content.decode()
    assert Surge.objects.count() == 1
    assert audited("surge_start").count() == 1


def test_a_moderator_ending_a_surge_by_hand_sticks_for_the_cooldown(
    story, commenters, moderator
):
    burst(story, commenters, 25)
    check()

    with later(1):
        surge.surge_end(article=story, moderator=moderator, reason="It is fine.")
        burst(story, commenters, 25)
        assert check()["started"] == 0
    with later(15):  # still busy, still within the cool-down of the moderator's end
        burst(story, commenters, 25)
        assert check()["started"] == 0
    with later(17):
        burst(story, commenters, 25)
        assert check()["started"] == 1
    assert Article.objects.get(pk=story.pk).busy_since is not None


def test_only_moderators_switch_surge_mode(story, regular):
    with pytest.raises(PermissionDenied):
        surge.surge_start(article=story, moderator=regular, reason="Let me.")

    assert not Surge.objects.exists()
    assert not audited("surge_start").exists()
    assert Article.objects.get(pk=story.pk).busy_since is None


def test_the_desk_list_says_why_each_story_is_in_surge_mode(story, moderator):
    surge.surge_start(article=story, moderator=moderator, reason="Live debate.")
    quiet = ArticleFactory()
    surge.surge_start(article=quiet, reason="Machine says so.")
    surge.surge_end(article=quiet, reason="Calm again.")

    [busy] = surge.articles_in_surge()

    assert (busy, busy.surge_reason, busy.surge_started_by) == (
        story,
        "Live debate.",
        "moderator",
    )
