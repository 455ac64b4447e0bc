"""A reader who flags gets a receipt, and later reads the outcome of each report
on "Your reports"; a shadow-banned reader's reports read like anyone's."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.services import comment_delete
from moderation import appeals, bans, receipts, services
from tests.comments.helpers import add_comment
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
URL = "/moderation/my-flags/"


@pytest.fixture
def mod(db):
    return UserFactory(
        username="mod", is_staff=True, groups=[Group.objects.get(name="Moderators")]
    )


def _reports(html: str) -> list[str]:
    return re.findall(r'<article class="report">(.*?)</article>', html, re.S)


def _outcomes(html: str) -> list[str]:
    found = re.findall(r'<p class="outcome" role="status">([^<(]*)', html)
    return [words.strip() for words in found]


def _without_times(html: str) -> list[str]:
    return [
        re.sub(r"<time[^>]*>.*?</time>|\(\d+ \w+ \d{4}\)", "", row)
        for row in _reports(html)
    ]


def test_a_flag_gets_a_receipt_that_promises_no_more_than_is_true(
    client, article, regular, reader
):
    comment = add_comment(article, regular, body="A borderline remark.")
    client.force_login(reader)

    answer = client.post(
        reverse("moderation:flag", args=[comment.pk]), {"reason": "abuse"}, follow=True
    )

    page = answer.content.decode()
    assert "your report is received" in page
    assert "a moderator will take a look" not in page
    assert "Your reports" in page


def test_your_reports_lists_each_flag_newest_first_with_its_outcome(
    client, article, regular, reader, mod
):
    waiting = add_comment(article, regular, body="Still under review, this one.")
    removed = add_comment(article, regular, body="Removed once a moderator read it.")
    kept = add_comment(article, regular, body="Kept up after a moderator read it.")
    deleted = add_comment(article, regular, body="Taken back by its own author.")
    for comment in (waiting, removed, kept, deleted):
        services.flag_comment(comment=comment, user=reader, reason="abuse")
    services.moderator_decide(comment=removed, moderator=mod, action="reject")
    services.moderator_decide(comment=kept, moderator=mod, action="approve")
    comment_delete(comment=deleted, user=regular)
    client.force_login(reader)

    html = client.get(URL).content.decode()

    assert _outcomes(html) == [
        "Deleted by its author",
        "Reviewed: it stays up",
        "Removed after your report",
        "Waiting for a moderator",
    ]
    _, kept_row, removed_row, waiting_row = _reports(html)
    assert "Kept up after a moderator read it." in kept_row
    assert "Still under review, this one." in waiting_row
    # Nothing of a comment the reader may no longer read.
    assert "Removed once a moderator read it." not in html
    assert "no longer shown" in removed_row
    assert "Taken back by its own author." not in html
    assert "Flagged as abuse or harassment" in waiting_row
    assert article.title in removed_row


def test_a_removal_reversed_on_appeal_says_so(
    client, post, article, regular, reader, mod, django_capture_on_commit_callbacks
):
    comment = add_comment(article, regular, body="Sharp words on the tariff.")
    services.flag_comment(comment=comment, user=reader, reason="abuse")
    services.moderator_decide(comment=comment, moderator=mod, action="reject")
    appeal = appeals.appeal_file(comment=comment, user=regular, note="Fair words.")
    other = UserFactory(groups=[Group.objects.get(name="Moderators")])
    with django_capture_on_commit_callbacks(execute=True):
        appeals.appeal_decide(appeal=appeal, moderator=other, outcome="reverse")
    client.force_login(reader)

    html = client.get(URL).content.decode()

    assert _outcomes(html) == [receipts.RESTORED]
    assert "Sharp words on the tariff." in html


def test_a_shadow_banned_readers_reports_read_like_anyone_elses(
    client, article, regular, reader, other_reader, mod
):
    removed = add_comment(article, regular, body="Removed after two reports.")
    waiting = add_comment(article, regular, body="Reported, never reviewed.")
    bans.user_ban(
        user=other_reader,
        moderator=mod,
        reason="Sock puppet",
        until=timezone.now() + timedelta(days=30),
        shadow=True,
    )
    other_reader.refresh_from_db()
    seen = {}
    for user in (reader, other_reader):
        client.force_login(user)
        for comment in (removed, waiting):
            answer = client.post(
                reverse("moderation:flag", args=[comment.pk]),
                {"reason": "spam"},
                follow=True,
            )
            assert "your report is received" in answer.content.decode()
    services.moderator_decide(comment=removed, moderator=mod, action="spam")
    for user in (reader, other_reader):
        client.force_login(user)
        seen[user.username] = client.get(URL).content.decode()

    assert _outcomes(seen["rosa"]) == [
        "Waiting for a moderator",
        "Removed after your report",
    ]
    # The same words and markup, the times apart.
    assert _without_times(seen["rosa"]) == _without_times(seen["sam"])


def test_your_reports_is_paginated_and_costs_the_same_queries_for_many(
    client, article, regular, reader
):
    comments = [
        add_comment(article, regular, body=f"Remark number {word}.")
        for word in ["one", "two", "three"]
    ]
    for comment in comments:
        services.flag_comment(comment=comment, user=reader, reason="spam")
    client.force_login(reader)
    client.get(URL)  # the session, warmed
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    more = [
        add_comment(article, UserFactory(), body=f"Another remark {n}.")
        for n in range(receipts.PER_PAGE)
    ]
    for comment in more:
        services.flag_comment(comment=comment, user=reader, reason="other")
    with CaptureQueriesContext(connection) as many:
        first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert len(many) == len(few)
    assert len(_reports(first)) == receipts.PER_PAGE
    assert len(_reports(second)) == 3
    assert "Remark number one." in second  # the oldest come last


def test_your_reports_needs_a_sign_in_and_is_linked_from_the_profile(client, reader):
    assert client.get(URL).status_code == 302
    client.force_login(reader)
    assert URL in client.get(reverse("profile")).content.decode()
    assert "You have not flagged any comment." in client.get(URL).content.decode()
