"""The transparency report counts a constructed month exactly, from the record."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from comments.services import comment_post
from moderation import appeals, services
from moderation.models import Term, TrustedFlagger
from moderation.services import comment_moderate
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
JUNE = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)


def _posted_then_decided(article, author, body, *, at, after):
    with time_machine.travel(at, tick=False):
        comment = comment_post(article=article, author=author, body=body)
    with time_machine.travel(at + after, tick=False):
        comment_moderate(comment_id=comment.pk)
    comment.refresh_from_db()
    return comment


@pytest.fixture
def june(regular):
    """Six decisions, a flag and an appeal in June; one decision in July."""
    article = ArticleFactory(published_at=datetime(2026, 1, 5, tzinfo=UTC))
    Term.objects.create(phrase="dimwit", kind=Term.Kind.BANNED)
    mods = Group.objects.get(name="Moderators")
    first, second = UserFactory(groups=[mods]), UserFactory(groups=[mods])
    _posted_then_decided(article, regular, "A fair point, well made.",
                         at=JUNE, after=timedelta(seconds=60))  # fmt: skip
    rejected = _posted_then_decided(article, regular, "Only a dimwit says so",
                                    at=JUNE, after=timedelta(seconds=120))  # fmt: skip
    flagged = _posted_then_decided(article, regular, "Another careful remark.",
                                   at=JUNE, after=timedelta(seconds=300))  # fmt: skip
    trusted = UserFactory()
    TrustedFlagger.objects.create(user=trusted)
    with time_machine.travel(JUNE + timedelta(days=1), tick=False):
        services.flag_comment(comment=flagged, user=trusted, reason="abuse")
        services.moderator_decide(comment=flagged, moderator=first, action="reject")
    with time_machine.travel(JUNE + timedelta(days=2), tick=False):
        appeal = appeals.appeal_file(comment=rejected, user=regular)
    with time_machine.travel(JUNE + timedelta(days=2, hours=2), tick=False):
        appeals.appeal_decide(appeal=appeal, moderator=second, outcome="reverse")
    _posted_then_decided(article, regular, "Said in July, not June.",
                         at=datetime(2026, 7, 1, tzinfo=UTC),
                         after=timedelta(seconds=5))  # fmt: skip


EXPECTED = {
    "month": "2026-06",
    "decisions": {
        "total": 6,
        "by_action": {"approve": 3, "hold": 1, "reject": 2, "spam": 0},
        "automated": 4,
        "human": 2,
        "by_reason": {"banned_term": 1, "moderator": 2, "no_rule": 2,
                      "reader_flags": 1},
    },
    "time_to_decision_seconds": {"median": 120, "p90": 300},
    "flags": {"received": 1, "acted_on": 1},
    "appeals": {"received": 1, "upheld": 0, "reversed": 1,
                "time_to_decide_seconds": 7200},
}  # fmt: skip


def test_the_api_counts_the_month_exactly(client, june):
    response = client.get("/api/v1/transparency/", {"month": "2026-06"})

    assert response.status_code == 200
    assert response.json() == EXPECTED


def test_the_page_shows_the_figures_with_charts(client, june):
    html = client.get("/transparency/", {"month": "2026-06"}).content.decode()

    assert "6 decisions: 4 by the site's automatic checks, 2 by moderators" in html
    assert html.count("<svg") == 2
    assert "banned term" in html
    assert "median 120 s, 90th percentile 300 s" in html
    assert "Appeals received: 1; decisions reversed: 1; upheld: 0." in html


def test_the_command_writes_the_same_figures(june):
    as_json, as_csv = io.StringIO(), io.StringIO()

    call_command("transparency_report", "--month", "2026-06", stdout=as_json)
    call_command("transparency_report", "--month=2026-06", "--format=csv",
                 stdout=as_csv)  # fmt: skip

    assert json.loads(as_json.getvalue()) == EXPECTED
    rows = dict(csv.reader(io.StringIO(as_csv.getvalue())))
    assert rows["decisions.total"] == "6"
    assert rows["appeals.reversed"] == "1"


@pytest.mark.parametrize("month", ["2026-13", "June", "2026-6", "2026-06-01"])
def test_a_month_not_written_yyyy_mm_is_refused(client, month):
    assert client.get("/api/v1/transparency/", {"month": month}).status_code == 400
    assert client.get("/transparency/", {"month": month}).status_code == 400
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("transparency_report", "--month", month)
