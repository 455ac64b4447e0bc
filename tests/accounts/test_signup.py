"""Signing up: honest names only, one account per e-mail, never sent off-site."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from tests.factories import UserFactory

GOOD_PASSWORD = "a long and unusual passphrase 42"


def signup(client, *, username="newreader", email="new@example.org", next_url=None):
    url = reverse("signup")
    if next_url is not None:
        url += f"?next={next_url}"
    return client.post(
        url,
        {
            "username": username,
            "email": email,
            "display_name": "",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )


def finish_signup(client, *, next_url: str | None = None, to: str | None = None):
    """Open the link the last sign-up e-mail carries and press its button."""
    message = mail.outbox[-1]
    assert to is None or message.to == [to]
    path = re.search(r"https?://[^/]+(/accounts/signup/\S+)", message.body).group(1)
    assert client.get(path).status_code == 200
    return client.post(path, {} if next_url is None else {"next": next_url})


@pytest.mark.django_db
def test_signup_creates_the_account_from_the_e_mailed_link_and_signs_in(client):
    response = signup(client)

    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    assert not User.objects.exists()
    response = finish_signup(client, next_url="/articles/some-story/",
                             to="new@example.org")  # fmt: skip
    assert response.status_code == 302
    assert response.url == "/articles/some-story/"
    user = User.objects.get(username="newreader")
    assert user.email == "new@example.org"
    assert user.reply_emails is True
    assert client.get(reverse("profile")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("zero\u200bwidth", "U+200B ZERO WIDTH SPACE"),
        ("joiner\u200dname", "U+200D ZERO WIDTH JOINER"),
        ("evil\u202eresu", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("isolate\u2066x", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("bell\x07", "U+0007"),
        ("soft\u00adhyphen", "U+00AD SOFT HYPHEN"),
        ("two words", "U+0020 SPACE"),
        ("pаypal", "alphabets"),  # Cyrillic a among Latin letters
    ],
)
def test_username_with_hidden_or_mixed_script_characters_is_refused(
    client, username, message
):
    response = signup(client, username=username)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("existing", "lookalike"),
    [
        ("rosa", "Rosa"),  # other case
        ("rosa", "ＲＯＳＡ"),  # fullwidth: NFKC makes it ROSA
        ("ace", "асе"),  # all Cyrillic: a whole-script look-alike of "ace"
        ("strasse", "Straße"),  # case folding turns ß into ss
    ],
)
def test_a_confusable_duplicate_of_an_existing_username_is_refused(
    client, existing, lookalike
):
    UserFactory(username=existing)

    response = signup(client, username=lookalike)

    assert response.status_code == 400
    assert "looks too much like one that is" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_fullwidth_letters_are_stored_in_their_plain_form(client):
    signup(client, username="ｍａｒｉａ")
    finish_signup(client)

    assert User.objects.get().username == "maria"


@pytest.mark.django_db
def test_an_email_already_used_in_another_case_makes_no_second_account(client):
    UserFactory(email="rosa@example.org")

    response = signup(client, email="ROSA@Example.ORG")

    assert response.status_code == 200
    assert "already" not in response.content.decode()
    assert User.objects.count() == 1
    [message] = mail.outbox
    assert message.to == ["rosa@example.org"]
    assert "someone tried to sign up" in message.subject


@pytest.mark.django_db
def test_database_refuses_a_second_email_in_another_case_even_without_the_form():
    from django.db import IntegrityError, transaction

    UserFactory(email="rosa@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="other", email="Rosa@Example.org")


@pytest.mark.django_db
def test_mismatched_passwords_show_an_error_next_to_the_field(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "x1",
            "email": "x1@example.org",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD + "!",
        },
    )

    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
    ],
)
def test_signup_never_redirects_off_site(client, next_url):
    signup(client)

    response = finish_signup(client, next_url=next_url)

    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.django_db
def test_hostile_strings_as_usernames_never_break_signup(client, shared_data, settings):
    settings.SIGNUP_RATE = "100000/hour"
    lines = (shared_data / "blns.txt").read_text(encoding="utf-8").splitlines()
    names = [line for line in lines if line and not line.startswith("#")]
    created = 0
    for i, name in enumerate(names):
        response = signup(client, username=name[:150], email=f"h{i}@example.org")
        assert response.status_code in {200, 400}, name
        if response.status_code == 200:
            assert finish_signup(client).status_code == 302, name
            created += 1
            client.logout()
    # Every account that got through has a visible, plain name.
    for user in User.objects.all():
        assert user.username.isprintable()
        assert user.username == user.username.strip()
    assert created == User.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "api_field"),
    [
        ("username", "ROSA", "username"),
        ("password1", "password", "password"),
    ],
)
def test_the_page_and_the_api_refuse_a_sign_up_in_the_same_words(
    client, field, value, api_field
):
    UserFactory(username="rosa", email="rosa@example.org")
    form = {"username": "newreader", "email": "new@example.org",
            "display_name": "", "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD}  # fmt: skip
    form[field] = value
    if field == "password1":
        form["password2"] = value
    api = {"username": form["username"], "email": form["email"],
           "password": form["password1"]}  # fmt: skip

    page = client.post(reverse("signup"), form)
    answer = client.post("/api/v1/auth/register/", api, content_type="application/json")

    assert page.status_code == answer.status_code == 400
    said = [e["detail"] for e in answer.json()["errors"] if e["attr"] == api_field]
    assert said
    html = page.content.decode()
    for detail in said:
        assert escape(detail) in html
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_every_fault_in_a_sign_up_is_named_at_once(client):
    UserFactory(username="rosa", email="rosa@example.org")

    answer = client.post(
        "/api/v1/auth/register/",
        {"username": "Rosa", "email": "ROSA@example.org", "password": "rosa"},
        content_type="application/json",
    )

    assert answer.status_code == 400
    # Not the e-mail address: whether it has an account is nobody's business.
    assert {e["attr"] for e in answer.json()["errors"]} == {"username", "password"}
