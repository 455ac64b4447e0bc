"""Signing in and out, profile, and password reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_login_page_has_username_and_password_fields(client):
    html = client.get("/accounts/login/").content.decode()

    assert 'name="username"' in html
    assert 'name="password"' in html
    assert '<label for="id_username">' in html


@pytest.mark.django_db
def test_login_returns_the_reader_to_the_page_they_came_from(client, reader):
    response = client.post(
        "/accounts/login/?next=/articles/x/",
        {"username": "rosa", "password": PASSWORD, "next": "/articles/x/"},
    )

    assert response.status_code == 302
    assert response.url == "/articles/x/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example", "/\\evil.example"]
)
def test_login_never_redirects_off_site(client, reader, next_url):
    response = client.post(
        "/accounts/login/",
        {"username": "rosa", "password": PASSWORD, "next": next_url},
    )

    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.django_db
def test_login_ignores_the_case_of_the_username(client, reader):
    response = client.post(
        "/accounts/login/", {"username": "ROSA", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, reader):
    response = client.post("/accounts/login/", {"username": "rosa", "password": "no"})

    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_profile_needs_a_signed_in_reader(client):
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/accounts/profile/")


@pytest.mark.django_db
def test_reader_changes_display_name_and_turns_reply_emails_off(client, reader):
    client.force_login(reader)

    response = client.post(
        reverse("profile"), {"display_name": "  Rosa L.  ", "reply_emails": ""}
    )

    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.display_name == "Rosa L."
    assert reader.reply_emails is False


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client, reader):
    client.force_login(reader)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 302


@pytest.mark.django_db
def test_password_reset_mails_a_link_that_sets_a_new_password(client, reader):
    client.post(reverse("password_reset"), {"email": "ROSA@example.org"})

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_url = client.get(link.group(1)).url
    new = "another quite long passphrase 77"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert client.login(username="rosa", password=new)


@pytest.mark.django_db
def test_password_change_needs_the_old_password(client, reader):
    client.force_login(reader)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "new long passphrase 1234",
            "new_password2": "new long passphrase 1234",
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()


@pytest.mark.django_db
def test_repeated_failed_sign_ins_are_refused_for_a_while_even_with_the_right_password(
    client, reader, settings
):
    settings.LOGIN_FAILURE_RATE = "3/15minute"
    for _ in range(3):
        client.post("/accounts/login/", {"username": "rosa", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "rosa", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert client.get(reverse("profile")).status_code == 302  # not signed in
    unknown = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert "Too many failed sign-ins" not in unknown.content.decode()
