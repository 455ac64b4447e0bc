"""Display names follow the username rules: no hidden characters, nobody else's name."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.services import user_update_profile
from accounts.usernames import validate_public_name
from tests.api.conftest import API, json_client, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "Rosa\nSubject: you won",  # a newline would forge a reply e-mail's subject
        "Rosa\r\nBcc: x@example.org",
        "evil\u202eresu",  # right-to-left override
        "Ro\u200bsa",  # zero-width space
        "Ro\u200dsa",  # zero-width joiner
        "\u2066Rosa",  # left-to-right isolate
        "Rosa\x07",
        "soft\u00adhyphen",
        "\u3164",  # Hangul filler: looks empty
    ],
)
def test_a_display_name_with_control_or_invisible_characters_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        validate_public_name(name)

    assert refused.value.code == "invisible_character"


@pytest.mark.parametrize(
    "name", ["admin", "Moderator", "The Moderators", "ＡＤＭＩＮ", "аdmin", "Staff"]
)
def test_a_reserved_name_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        validate_public_name(name)

    assert refused.value.code == "reserved"


@pytest.mark.parametrize(
    ("existing", "lookalike"),
    [
        ({"username": "kim_mod", "display_name": ""}, "Kim_Mod"),
        ({"username": "x1", "display_name": "Rosa Lopez"}, "rosa lopez"),
        ({"username": "x2", "display_name": "Rosa Lopez"}, "Rоsa  Lopez"),  # Cyrillic о
        ({"username": "x3", "display_name": "Ana"}, "ＡＮＡ"),
    ],
)
def test_a_display_name_copying_another_account_is_refused(existing, lookalike):
    UserFactory(**existing)

    with pytest.raises(ValidationError) as refused:
        validate_public_name(lookalike)

    assert refused.value.code == "taken"


def test_a_moderators_name_cannot_be_copied(moderator):
    moderator.display_name = "Jo Watts"
    moderator.save()

    with pytest.raises(ValidationError) as refused:
        validate_public_name("jo watts")
    assert refused.value.code == "taken"


def test_a_reader_may_keep_a_name_like_their_own(reader):
    validate_public_name("Rosa", exclude_user=reader)
    validate_public_name("Rosa Lopez", exclude_user=reader)


def test_plain_names_in_any_one_script_are_accepted():
    for name in ["Rosa L.", "María José", "Иван Петров", "李小龍", "O'Brien-Smith"]:
        validate_public_name(name)


def test_the_profile_page_refuses_a_forged_name_beside_the_field(client, reader):
    UserFactory(username="sam", display_name="")
    client.force_login(reader)

    response = client.post(reverse("profile"), {"display_name": "Sam"})

    assert response.status_code == 400
    assert "another reader" in response.content.decode()
    reader.refresh_from_db()
    assert reader.display_name != "Sam"


def test_the_api_refuses_a_newline_in_a_display_name(reader):
    app = json_client()
    app.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(json_client(), 'rosa')}")

    response = app.patch(f"{API}/me/", {"display_name": "Rosa\nBcc: x"})

    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["display_name"]


def test_sign_up_refuses_a_display_name_copying_another_account(client, moderator):
    response = client.post(
        reverse("signup"),
        {"username": "newreader", "email": "new@example.org",
         "display_name": "moderator", "password1": "a long odd passphrase 42",
         "password2": "a long odd passphrase 42"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "id_display_name_errors" in response.content.decode()


@pytest.mark.django_db
def test_a_name_kept_from_before_the_rules_does_not_block_other_settings(reader):
    type(reader).objects.filter(pk=reader.pk).update(display_name="Moderator")
    reader.refresh_from_db()

    user_update_profile(user=reader, display_name="Moderator", reply_emails=False)

    reader.refresh_from_db()
    assert reader.reply_emails is False
    with pytest.raises(ValidationError):  # choosing it anew is still refused
        user_update_profile(user=reader, display_name="Admin", reply_emails=False)


def test_nobody_may_pass_for_an_erased_account():
    with pytest.raises(ValidationError):
        validate_public_name("Deleted Account")
