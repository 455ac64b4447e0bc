"""Guests prove the address they give: until then a moderator reads every
comment from it, so an address alone neither borrows standing nor sheds a ban."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from comments import guests
from comments.models import Comment, GuestAddress
from tests.comments.helpers import add_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
ANN = {"author": None, "guest_name": "Ann", "guest_email": "ann@example.org"}


def _link(message) -> str:
    return re.search(r"https?://\S+/comments/guest/confirm/\S+/", message.body)[0]


def test_a_guest_is_sent_one_confirmation_link_an_hour(post, article):
    post(article=article, body="A first thought", **ANN)
    post(article=article, body="A second thought", **ANN)

    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    assert "confirm" in message.subject
    assert "/comments/guest/confirm/" in _link(message)


def test_an_unconfirmed_address_cannot_borrow_an_approved_guests_standing(
    post, article
):
    # Approved before, under this address, by someone who never proved it.
    add_comment(article, None, body="Earlier words")
    Comment.objects.update(guest_email="ann@example.org", guest_name="Ann")

    comment = post(article=article, body="Thanks for the careful reporting.", **ANN)

    assert comment.status == Comment.Status.HELD
    assert comment.verdicts.get().rule_names == " unconfirmed_guest "


def test_a_confirmed_guest_with_an_approved_comment_is_published_at_once(
    client, post, article
):
    first = post(article=article, body="Thanks for the careful reporting.", **ANN)
    link = _link(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm" in page.content.decode()
    assert not GuestAddress.objects.get().is_confirmed  # opening is not confirming
    assert client.post(link).status_code == 200
    assert GuestAddress.objects.get().is_confirmed

    Comment.objects.filter(pk=first.pk).update(status=Comment.Status.APPROVED)
    later = post(article=article, body="And a useful follow-up, I hope.", **ANN)

    assert later.status == Comment.Status.APPROVED
    assert len(mail.outbox) == 1  # nothing more to confirm


def test_a_forged_link_says_so_and_confirms_nothing(client):
    forged = guests.confirmation_token("ann@example.org")[:-2] + "xx"
    other_salt = signing.dumps({"e": "ann@example.org"}, salt="comments.unsubscribe")
    for token in [forged, other_salt, "not-a-token"]:
        response = client.post(reverse("comments:guest-confirm", args=[token]))
        assert response.status_code == 400
        assert "does not work" in response.content.decode()
    assert not GuestAddress.objects.exists()


def test_a_link_stops_working_after_its_lifetime(client):
    token = guests.confirmation_token("ann@example.org")
    later = timezone.now() + guests.LINK_LIFETIME + timedelta(minutes=1)

    with time_machine.travel(later):
        response = client.post(reverse("comments:guest-confirm", args=[token]))

    assert response.status_code == 400
    assert not GuestAddress.objects.exists()


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Moderator", "kept for the site"),
        ("Rosa\u202e", "name"),  # a direction override
        ("rosa", "belongs to another reader"),  # the signed-up reader's name
    ],
)
def test_a_guest_cannot_pass_for_someone_else(client, article, reader, name, why):
    response = client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "Hello there", "guest_name": name, "guest_email": "g@example.org"},
    )

    assert response.status_code == 400
    assert why in response.content.decode()
    assert not Comment.objects.exists()


def test_guests_behind_a_trusted_proxy_are_limited_one_by_one(
    client, article, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.COMMENT_THROTTLE_RATE = "1/minute"

    def post(address: str, n: int):
        return client.post(
            reverse("comments:post", args=[article.slug]),
            {"body": f"Guest words {n}", "guest_name": f"Guest {n}",
             "guest_email": f"g{n}@example.org"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.9, {address}",
        )  # fmt: skip

    assert post("203.0.113.1", 1).status_code == 302
    assert post("203.0.113.2", 2).status_code == 302  # another reader, same proxy
    assert post("203.0.113.1", 3).status_code == 429
