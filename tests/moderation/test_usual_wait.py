"""A held comment says how long holds usually last here: the median time from
the machine's hold to a person's decision, over the last 30 days."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_edit
from moderation import services, waits
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]


@pytest.fixture
def mod(db):
    return UserFactory(
        username="mod", is_staff=True, groups=[Group.objects.get(name="Moderators")]
    )


@pytest.fixture
def article(db):
    """Open for comments since long before the holds these tests make."""
    return ArticleFactory(published_at=timezone.now() - timedelta(days=90))


@pytest.fixture
def hold(post, article):
    """A newcomer's first comment, held by the machine at `at`."""

    def _hold(at=None) -> Comment:
        with time_machine.travel(at or timezone.now(), tick=False):
            comment = post(
                article=article, author=UserFactory(), body="My first comment here."
            )
        assert comment.status == Comment.Status.HELD
        return comment

    return _hold


@pytest.fixture
def decided_hold(hold, mod):
    """A hold made `ago` before now that a moderator decided after `wait`."""

    def _decided(*, ago: timedelta, wait: timedelta, action: str = "approve"):
        held_at = timezone.now() - ago
        comment = hold(held_at)
        with time_machine.travel(held_at + wait, tick=False):
            services.moderator_decide(comment=comment, moderator=mod, action=action)
        return comment

    return _decided


def test_a_held_comment_states_the_median_wait_of_the_last_30_days(
    decided_hold, hold, client
):
    for hours, action in [(1, "approve"), (2, "reject"), (3, "approve"),
                          (4, "spam"), (10, "approve")]:  # fmt: skip
        decided_hold(
            ago=timedelta(days=5, hours=hours),
            wait=timedelta(hours=hours),
            action=action,
        )
    # Left out: a hold older than 30 days, and one nobody has decided yet.
    decided_hold(ago=timedelta(days=40), wait=timedelta(hours=100))
    hold(timezone.now() - timedelta(days=2))

    comment = hold()

    assert comment.decision["usual_wait"] == "about 3 hours"
    assert comment.decision["usual_wait_minutes"] == 180
    client.force_login(comment.author)
    api = client.get(f"/api/v1/comments/{comment.pk}/").json()["decision"]
    assert api["usual_wait"] == "about 3 hours"
    page = client.get(reverse("moderation:appeal", args=[comment.pk]))
    assert "Holds here usually last about 3 hours" in page.content.decode()
    for where in (comment.get_absolute_url(), reverse("comments:mine")):
        shown = client.get(where).content.decode()
        assert "Holds here usually last about 3 hours." in shown


def test_with_too_few_decided_holds_nothing_is_promised(decided_hold, hold, client):
    for hours in range(1, waits.MIN_HOLDS):
        decided_hold(ago=timedelta(days=1), wait=timedelta(hours=hours))

    comment = hold()

    assert comment.decision["usual_wait"] is None
    assert comment.decision["usual_wait_minutes"] is None
    client.force_login(comment.author)
    page = client.get(reverse("moderation:appeal", args=[comment.pk]))
    assert "usually last" not in page.content.decode()


def test_an_edit_does_not_end_a_hold_only_a_persons_decision_does(
    decided_hold, hold, mod
):
    for _ in range(waits.MIN_HOLDS - 1):
        decided_hold(ago=timedelta(days=3), wait=timedelta(minutes=20))
    held_at = timezone.now() - timedelta(days=3)
    edited = hold(held_at)
    with time_machine.travel(held_at + timedelta(minutes=1), tick=False):
        comment_edit(comment=edited, user=edited.author, body="Edited, and better.")
    edited.refresh_from_db()
    assert (edited.status, edited.revision) == (Comment.Status.HELD, 2)
    with time_machine.travel(held_at + timedelta(hours=5), tick=False):
        services.moderator_decide(comment=edited, moderator=mod, action="approve")

    mine = waits.decided_holds(since=timezone.now() - waits.WINDOW).get(comment=edited)
    assert mine.wait == timedelta(hours=5)
    assert waits.median_wait() == timedelta(minutes=20)


def test_only_decisions_on_the_machines_holds_count(decided_hold, article, mod):
    for _ in range(waits.MIN_HOLDS):
        decided_hold(ago=timedelta(days=3), wait=timedelta(minutes=40))
    # A moderator rejecting a published comment ended no hold.
    published = add_comment(article, UserFactory())
    services.moderator_decide(comment=published, moderator=mod, action="reject")

    assert waits.median_wait() == timedelta(minutes=40)


def test_the_median_is_one_query_and_kept_for_a_few_minutes(
    decided_hold, hold, mod, django_assert_num_queries
):
    for _ in range(waits.MIN_HOLDS):
        decided_hold(ago=timedelta(days=2), wait=timedelta(hours=2))
    waiting = [hold(timezone.now() - timedelta(hours=24)) for _ in range(10)]
    with django_assert_num_queries(1):
        assert waits.median_wait() == timedelta(hours=2)

    first = hold()
    # A moderator works through the day-old holds: the median moves to a day.
    for comment in waiting:
        services.moderator_decide(comment=comment, moderator=mod, action="approve")
    soon = hold(timezone.now() + timedelta(minutes=2))
    later = hold(timezone.now() + timedelta(seconds=waits.CACHE_SECONDS + 60))

    assert first.decision["usual_wait"] == "about 2 hours"
    assert soon.decision["usual_wait"] == "about 2 hours"  # from the cache
    assert later.decision["usual_wait"] == "about 24 hours"


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(1, "about a minute"), (25, "about 25 minutes"), (70, "about an hour"),
     (150, "about 3 hours"), (35 * 60, "about 35 hours"), (60 * 60, "about 3 days")],
)  # fmt: skip
def test_a_wait_reads_as_a_person_says_it(minutes, words):
    assert waits.in_words(minutes) == words


def test_an_approval_or_rejection_states_no_wait(post, article, regular):
    published = post(article=article, author=regular, body="A fair point, well made.")

    assert published.decision["action"] == "approve"
    assert published.decision["usual_wait"] is None
