"""Failed sign-ins: counted before the password is checked, per account and address."""

import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from tests.api.conftest import API, json_client
from tests.factories import PASSWORD, UserFactory

WRONG = "a wrong guess"


def concurrent(many: int, action) -> list:
    """Run `action` in `many` threads released at once; return their answers."""
    start = threading.Barrier(many)
    answers: list = [None] * many

    def run(i: int) -> None:
        try:
            start.wait()
            answers[i] = action(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(many)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def counted_password_checks():
    """Count (and slow down, to widen any race) every password check."""
    checks = []
    real = User.check_password

    def slow_check(user, raw):
        checks.append(raw)
        time.sleep(0.05)
        return real(user, raw)

    with mock.patch.object(User, "check_password", slow_check):
        yield checks


def api_guess(address: str, username: str = "rosa", password: str = WRONG):
    return json_client(REMOTE_ADDR=address).post(
        f"{API}/auth/token/", {"username": username, "password": password}
    )


def page_guess(address: str, username: str = "rosa", password: str = WRONG):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("guess", [api_guess, page_guess])
def test_concurrent_wrong_sign_ins_get_no_more_checks_than_the_limit(
    settings, counted_password_checks, guess
):
    settings.LOGIN_FAILURE_RATE = "5/15minute"
    UserFactory(username="rosa")

    answers = concurrent(12, lambda i: guess("198.51.100.1"))

    assert len(counted_password_checks) <= 5
    refused = [a for a in answers if a.status_code == 429 or b"Too many" in a.content]
    assert len(refused) >= 7


@pytest.mark.django_db
def test_a_successful_sign_in_does_not_use_up_the_allowance(settings, reader):
    settings.LOGIN_FAILURE_RATE = "3/15minute"
    for _ in range(5):
        assert api_guess("198.51.100.1", password=PASSWORD).status_code == 200

    answers = [api_guess("198.51.100.1").status_code for _ in range(4)]

    assert answers == [400, 400, 400, 429]


def fail_from(address: str, times: int, username: str = "rosa") -> list[int]:
    return [api_guess(address, username).status_code for _ in range(times)]


@pytest.mark.django_db
def test_a_guesser_cannot_lock_the_owner_out_from_another_address(settings, reader):
    settings.LOGIN_FAILURE_RATE = "5/15minute"
    assert fail_from("198.51.100.66", 7) == [400] * 5 + [429, 429]

    from_home = api_guess("203.0.113.5", password=PASSWORD)
    on_the_page = Client(REMOTE_ADDR="203.0.113.6").post(
        "/accounts/login/", {"username": "ROSA", "password": PASSWORD}
    )

    assert from_home.status_code == 200
    assert on_the_page.status_code == 302
    # The guesser stays locked, even with the right password.
    assert api_guess("198.51.100.66", password=PASSWORD).status_code == 429


@pytest.mark.django_db
def test_many_addresses_guessing_one_account_lock_only_themselves(settings, reader):
    settings.LOGIN_FAILURE_RATE = "5/15minute"
    settings.LOGIN_FAILURE_RATE_PER_ACCOUNT = "6/15minute"
    guessers = [f"198.51.100.{i}" for i in range(1, 4)]
    for address in guessers:
        fail_from(address, 2)  # six failures in all: the account's limit

    assert {api_guess(a).status_code for a in guessers} == {429}
    assert api_guess("203.0.113.5", password=PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_locked_address_and_an_unknown_name_answer_alike(settings, reader):
    settings.LOGIN_FAILURE_RATE = "2/15minute"

    known = fail_from("198.51.100.1", 3, "rosa")
    unknown = fail_from("198.51.100.1", 3, "nobody-at-all")

    assert known == unknown == [400, 400, 429]


def test_per_address_limits_are_stricter_than_the_per_account_one(settings):
    from accounts.ratelimit import parse_rate

    per_pair, _ = parse_rate(settings.LOGIN_FAILURE_RATE)
    per_account, _ = parse_rate(settings.LOGIN_FAILURE_RATE_PER_ACCOUNT)

    assert per_pair < per_account


@pytest.mark.django_db
def test_a_wrong_password_answers_the_apis_one_error_shape(reader):
    body = api_guess("198.51.100.1").json()

    assert body["type"] == "validation_error"
    assert [(e["attr"], e["detail"]) for e in body["errors"]] == [
        (None, "Wrong username or password.")
    ]
