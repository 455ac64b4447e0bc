"""Sign-up and reset e-mails: limited per address and e-mail, and telling nobody
whether an address has an account."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.api.conftest import API, json_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSPHRASE = "a long and unusual passphrase 42"


def register(email: str, username: str = "newreader", address: str = "198.51.100.1"):
    return json_client(REMOTE_ADDR=address).post(
        f"{API}/auth/register/",
        {"username": username, "email": email, "password": PASSPHRASE},
    )


def signup_page(email: str, username: str = "newreader", address="198.51.100.1"):
    return Client(REMOTE_ADDR=address).post(
        reverse("signup"),
        {"username": username, "email": email, "display_name": "",
         "password1": PASSPHRASE, "password2": PASSPHRASE},
    )  # fmt: skip


def test_register_answers_alike_for_known_and_unknown_addresses():
    UserFactory(username="rosa", email="rosa@example.org")

    known = register("rosa@example.org", username="one")
    unknown = register("new@example.org", username="two")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert "token" not in unknown.json()
    assert User.objects.count() == 1  # nothing made before the link is opened
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "someone tried to sign up" in by_address["rosa@example.org"].subject
    assert "/accounts/signup/" in by_address["new@example.org"].body


def test_the_sign_up_page_answers_alike_for_known_and_unknown_addresses():
    UserFactory(username="rosa", email="rosa@example.org")

    known = signup_page("rosa@example.org", username="one")
    unknown = signup_page("new@example.org", username="two")

    def said(response) -> str:
        html = response.content.decode()
        html = html.replace(response.wsgi_request.POST["email"], "")
        return re.sub(r'CSRFToken": "\w+"', "", html)

    assert known.status_code == unknown.status_code == 200
    assert said(known) == said(unknown)
    assert "already" not in said(known)


def test_sign_ups_are_limited_per_address_with_retry_after(settings):
    settings.SIGNUP_RATE = "2/hour"
    answers = [register(f"n{i}@example.org", f"reader{i}") for i in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert len(mail.outbox) == 2
    assert register("n9@example.org", "reader9", "203.0.113.9").status_code == 202


def test_sign_ups_are_limited_per_e_mail_from_any_address(settings):
    settings.SIGNUP_RATE = "2/hour"
    UserFactory(username="rosa", email="rosa@example.org")
    statuses = [
        register("rosa@example.org", f"x{i}", f"198.51.100.{i}").status_code
        for i in range(3)
    ]

    assert statuses == [202, 202, 429]
    assert len(mail.outbox) == 2  # the owner is not flooded


def test_the_sign_up_page_says_to_wait_beside_the_form(settings):
    settings.SIGNUP_RATE = "1/hour"
    signup_page("a@example.org", "reader1")

    response = signup_page("b@example.org", "reader2")

    assert response.status_code == 429
    assert "signing up quickly" in response.content.decode()


def test_reset_e_mails_are_limited_per_address_and_per_e_mail(settings, reader):
    settings.PASSWORD_RESET_RATE = "2/hour"

    def reset(email: str, address: str):
        return Client(REMOTE_ADDR=address).post(
            reverse("password_reset"), {"email": email}
        )

    emails = ["rosa@example.org", "x@example.org", "y@example.org"]
    from_one = [reset(e, "198.51.100.1").status_code for e in emails]
    to_one = [reset("rosa@example.org", f"203.0.113.{i}") for i in range(2)]

    assert from_one == [302, 302, 429]
    assert to_one[0].status_code == 302
    assert to_one[1].status_code == 429
    assert "password resets quickly" in to_one[1].content.decode()
    assert len(mail.outbox) == 2  # rosa's two; the unknown addresses get none


def test_a_forged_sign_up_link_makes_nothing(client):
    response = client.post("/accounts/signup/forged-token/")

    assert response.status_code == 400
    assert "broken or has expired" in response.content.decode()
    assert not User.objects.exists()
