"""Changing or resetting a password signs every other device out and says so."""

import re

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.admin import UserAdmin
from tests.api.conftest import API, json_client, sign_in
from tests.factories import PASSWORD

NEW = "another quite long passphrase 77"
SIGNED_OUT = "every device was signed out"


def app_with_token(username: str = "rosa"):
    app = json_client()
    app.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(json_client(), username)}")
    assert app.get(f"{API}/me/").status_code == 200
    return app


def browser_signed_in(username: str = "rosa") -> Client:
    browser = Client()
    assert browser.login(username=username, password=PASSWORD)
    assert browser.get(reverse("profile")).status_code == 200
    return browser


def change_password(browser: Client):
    return browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )


def reset_password(browser: Client, email: str = "rosa@example.org"):
    browser.post(reverse("password_reset"), {"email": email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[-1].body)
    form_url = browser.get(link.group(1)).url
    mail.outbox.clear()
    return browser.post(form_url, {"new_password1": NEW, "new_password2": NEW})


@pytest.mark.django_db
def test_changing_the_password_revokes_every_token_and_other_session(reader):
    phone = app_with_token()
    other_browser = browser_signed_in()
    this_browser = browser_signed_in()

    response = change_password(this_browser)

    assert response.status_code == 302
    assert phone.get(f"{API}/me/").status_code == 401
    assert other_browser.get(reverse("profile")).status_code == 302
    assert this_browser.get(reverse("profile")).status_code == 200  # still in


@pytest.mark.django_db
def test_resetting_the_password_revokes_every_token_and_signs_nobody_in(reader):
    phone = app_with_token()
    other_browser = browser_signed_in()
    stranger = Client()

    response = reset_password(stranger)

    assert response.status_code == 302
    assert phone.get(f"{API}/me/").status_code == 401
    assert other_browser.get(reverse("profile")).status_code == 302
    assert stranger.get(reverse("profile")).status_code == 302
    assert Client().login(username="rosa", password=NEW)


@pytest.mark.django_db
def test_another_readers_tokens_survive_a_password_change(reader, other_reader):
    theirs = app_with_token("sam")

    change_password(browser_signed_in())

    assert theirs.get(f"{API}/me/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["change", "reset"])
def test_the_owner_is_told_by_e_mail_that_every_device_was_signed_out(
    reader, how, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        if how == "change":
            change_password(browser_signed_in())
        else:
            reset_password(Client())

    [message] = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert "password was changed" in message.subject.lower()
    assert SIGNED_OUT in message.body
    assert NEW not in message.body


@pytest.mark.django_db
def test_a_password_set_in_the_admin_signs_the_reader_out_too(rf, reader, editor):
    phone = app_with_token()
    form_class = UserAdmin.change_password_form
    assert issubclass(form_class, AdminPasswordChangeForm)

    form = form_class(reader, {"password1": NEW, "password2": NEW,
                               "usable_password": "true"})  # fmt: skip
    assert form.is_valid(), form.errors
    form.save()

    assert phone.get(f"{API}/me/").status_code == 401
