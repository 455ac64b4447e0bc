"""A guest reads the decisions on their comments through a signed link: the
statement of reasons a reader with an account reads on their own pages."""

import html
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import strip_tags
from django.utils.timezone import localtime

from comments import guests
from comments.models import Comment
from moderation.services import moderator_decide
from tests.comments.helpers import add_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
ANN = {"author": None, "guest_name": "Ann", "guest_email": "ann@example.org"}
BOB = {"author": None, "guest_name": "Bob", "guest_email": "bob@example.org"}


def _statements_link(message) -> str:
    return re.search(r"https?://\S+/comments/guest/mine/\S+/", message.body)[0]


def _page(client, email: str):
    return client.get(
        reverse("comments:guest-comments", args=[guests.statements_token(email)])
    )


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_confirmation_email_links_to_the_guests_comments_and_why_they_wait(
    client, post, article
):
    comment = post(article=article, body="Thanks for the careful reporting.", **ANN)

    (message,) = mail.outbox
    assert "/comments/guest/confirm/" in message.body  # the confirmation is still there
    link = _statements_link(message)
    assert f"works for {guests.statements_lifetime().days} days" in message.body
    response = client.get(link)

    assert response.status_code == 200
    page = _text(response)
    assert comment.body in page
    assert "Awaiting moderation" in page
    assert "Held for a moderator, by the site's automatic checks" in page
    assert "has not confirmed their e-mail address" in page
    assert "The address is not confirmed yet" in page


def test_a_moderators_rejection_shows_its_reason_policy_and_appeal_window(
    client, post, article, moderator
):
    comment = post(article=article, body="You lot are all idiots.", **ANN)
    moderator_decide(
        comment=comment, moderator=moderator, action="reject", reason="Insults readers."
    )
    decision = Comment.objects.get(pk=comment.pk).decision

    page = _text(_page(client, "ann@example.org"))

    assert "Not published: rejected in moderation" in page
    assert "Rejected, by a moderator" in page
    assert "Insults readers." in page
    assert "Open: comments that pass the site's checks are published" in page
    until = datetime.fromisoformat(decision["appealable_until"])
    assert until - datetime.fromisoformat(decision["decided_at"]) == timedelta(days=183)
    assert (
        f"Appealable until {dateformat.format(localtime(until), 'j M Y')}"
        in " ".join(strip_tags(page).split())
    )


def test_an_address_in_other_case_reads_the_same_comments(client, post, article):
    comment = post(article=article, body="Mixed case address here.", **ANN)

    page = _text(_page(client, "Ann@Example.ORG"))

    assert comment.body in page


def test_a_link_shows_its_own_addresss_comments_and_nobody_elses(
    client, post, article, reader
):
    mine = post(article=article, body="Ann's view on chips.", **ANN)
    theirs = post(article=article, body="Bob's view on chips.", **BOB)
    add_comment(article, reader, body="Rosa's signed-in view.")
    # An account with the same address is not the guest, nor the guest it.
    Comment.objects.filter(author=reader).update(guest_email="ann@example.org")

    page = _text(_page(client, "ann@example.org"))

    assert mine.body in page
    assert theirs.body not in page
    assert "bob@example.org" not in page
    assert "Rosa's signed-in view." not in page


def test_a_deleted_comment_is_left_off(client, post, article):
    kept = post(article=article, body="Still here.", **ANN)
    gone = post(article=article, body="Taken back.", **ANN)
    Comment.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())

    page = _text(_page(client, "ann@example.org"))

    assert kept.body in page
    assert gone.body not in page


def _swap_payload(token: str, other: str) -> str:
    """`token`'s signature on the payload of a token for another address."""
    _payload, stamp, signature = token.rsplit(":", 2)
    payload = guests.statements_token(other).rsplit(":", 2)[0]
    return f"{payload}:{stamp}:{signature}"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: guests.statements_token("bob@example.org")[:-2] + "xx",
                     id="signature-changed"),
        pytest.param(lambda: _swap_payload(guests.statements_token("bob@example.org"),
                                           "ann@example.org"), id="other-address"),
        pytest.param(lambda: guests.confirmation_token("ann@example.org"),
                     id="confirmation-token"),
        pytest.param(lambda: signing.dumps({"e": "ann@example.org"},
                                           salt="comments.unsubscribe"),
                     id="other-salt"),
        pytest.param(lambda: signing.dumps("ann@example.org",
                                           salt=guests.STATEMENTS_SALT),
                     id="wrong-shape"),
        pytest.param(lambda: "not-a-token", id="garbage"),
    ],
)  # fmt: skip
def test_a_tampered_or_foreign_link_is_refused_and_shows_nothing(
    client, post, article, make
):
    post(article=article, body="Ann's private standing.", **ANN)

    response = client.get(reverse("comments:guest-comments", args=[make()]))

    assert response.status_code == 400
    page = _text(response)
    assert "That link does not work" in page
    assert "Ann's private standing." not in page
    assert "ann@example.org" not in page


def test_the_link_works_for_the_appeal_window_and_is_refused_after_it(
    client, post, article
):
    post(article=article, body="Words that wait.", **ANN)
    url = reverse(
        "comments:guest-comments", args=[guests.statements_token(ANN["guest_email"])]
    )
    lifetime = guests.statements_lifetime()
    assert lifetime == timedelta(days=183)

    with time_machine.travel(timezone.now() + lifetime - timedelta(minutes=1)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + lifetime + timedelta(minutes=1)):
        response = client.get(url)

    assert response.status_code == 403
    page = _text(response)
    assert "That link has expired" in page
    assert "Words that wait." not in page


def test_a_shadowed_comment_looks_published_with_no_decision(client, post, article):
    comment = post(article=article, body="Words only Ann sees.", **ANN)
    Comment.objects.filter(pk=comment.pk).update(
        status=Comment.Status.REJECTED,
        shadowed=True,
        decision={
            "action": "reject", "automated": True,
            "reasons": ["The author is shadow-banned."], "policy": "open",
            "decided_at": timezone.now().isoformat(),
            "appealable_until": None, "appeal": None,
        },
    )  # fmt: skip

    page = _text(_page(client, "ann@example.org"))

    assert "Words only Ann sees." in page
    assert "Published" in page
    assert "shadow" not in page.lower()
    assert "Not published" not in page
    assert "Decision" not in page


def test_an_appealed_and_reversed_decision_says_so(client, post, article, moderator):
    comment = post(article=article, body="Reversed words.", **ANN)
    decision = Comment.objects.get(pk=comment.pk).decision
    Comment.objects.filter(pk=comment.pk).update(
        status=Comment.Status.APPROVED,
        decision={**decision, "action": "approve", "automated": False,
                  "reasons": ["On review, the comment is published."],
                  "appealable_until": None,
                  "appeal": {"status": "decided", "outcome": "reverse"}},
    )  # fmt: skip

    page = _text(_page(client, "ann@example.org"))

    assert "Published, by a moderator" in page
    assert "On review, the comment is published." in page
    assert "Reversed: the comment is published." in page
    assert "Appealable until" not in page


def test_the_page_is_private_and_costs_a_fixed_number_of_queries(
    client, post, article, django_assert_max_num_queries
):
    for n in range(12):
        post(article=article, body=f"Guest comment number {n}.", **ANN)

    with django_assert_max_num_queries(3):
        response = _page(client, "ann@example.org")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert _text(response).count("Guest comment number") == 12


def test_the_page_only_reads(client):
    url = reverse("comments:guest-comments", args=[guests.statements_token("a@b.org")])

    assert client.post(url).status_code == 405
