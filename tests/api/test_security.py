"""What a hostile client tries against /api/v1/: other readers' hidden comments,
fields it must not set, bodies built to break the parser, forged sessions,
guessed passwords and hostile strings."""

import json
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from accounts.models import User
from accounts.ratelimit import parse_rate
from comments.models import Comment
from moderation.models import Flag
from tests.api.conftest import (
    API,
    api_errors,
    error_attrs,
    error_codes,
    error_detail,
    finish_sign_up,
    json_client,
)
from tests.comments.helpers import add_comment
from tests.factories import PASSWORD, ArticleFactory, UserFactory
from tests.html_safety import unsafe_parts

pytestmark = pytest.mark.django_db

HIDDEN = ["pending", "held", "rejected", "spam"]


def comments_url(article) -> str:
    return f"{API}/articles/{article.slug}/comments/"


def comment_url(pk: int, action: str = "") -> str:
    return f"{API}/comments/{pk}/{action + '/' if action else ''}"


def all_ids(results: list) -> set[int]:
    """Every comment id on a page, nested replies included."""
    found = set()
    for comment in results:
        found.add(comment["id"])
        found |= all_ids(comment["replies"])
    return found


# --- Hidden comments (IDOR) --------------------------------------------------------


@pytest.mark.parametrize("status", HIDDEN)
def test_another_reader_can_do_nothing_with_a_hidden_comment(
    as_user, article, reader, other_reader, status
):
    hidden = add_comment(article, reader, status=status, body="Not yet public")
    missing = hidden.pk + 1000
    app = as_user(other_reader)

    attempts = {
        "read": lambda pk: app.get(comment_url(pk)),
        "replies": lambda pk: app.get(comment_url(pk, "replies")),
        "edit": lambda pk: app.patch(comment_url(pk), {"body": "Changed"}),
        "delete": lambda pk: app.delete(comment_url(pk)),
        "vote": lambda pk: app.post(comment_url(pk, "vote"), {"value": 1}),
        "flag": lambda pk: app.post(comment_url(pk, "flags"), {"reason": "spam"}),
    }
    for name, attempt in attempts.items():
        answer = attempt(hidden.pk)
        assert answer.status_code == 404, name
        # Exactly what a comment that never existed gets: nothing leaks.
        assert answer.json() == attempt(missing).json(), name

    hidden.refresh_from_db()
    assert (hidden.body, hidden.deleted_at, hidden.score) == ("Not yet public", None, 0)
    assert not Flag.objects.exists()


@pytest.mark.parametrize("status", HIDDEN)
def test_a_reply_to_a_hidden_comment_is_refused_like_one_to_no_comment(
    as_user, article, reader, other_reader, status
):
    hidden = add_comment(article, reader, status=status)
    elsewhere = add_comment(ArticleFactory(), reader, status=status)
    app = as_user(other_reader)

    answers = [
        app.post(comments_url(article), {"body": "Hi", "parent": pk})
        for pk in (hidden.pk, elsewhere.pk, hidden.pk + 1000)
    ]

    for answer in answers:
        assert error_attrs(answer) == ["parent"]
    # A hidden parent, here or on another article, reads like a missing one.
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert Comment.objects.count() == 2


def test_anonymous_readers_see_only_approved_comments_even_in_nested_replies(
    anon, as_user, article, reader, other_reader
):
    top = add_comment(article, other_reader)
    shown = {top.pk}
    for status in ["approved", *HIDDEN]:
        reply = add_comment(article, reader, parent=top, status=status)
        # An approved answer under a comment later hidden keeps its own place.
        under = add_comment(article, other_reader, parent=reply)
        if status == "approved":
            shown |= {reply.pk, under.pk}
        else:
            shown.add(under.pk)
    for status in HIDDEN:
        add_comment(article, reader, status=status)

    for viewer in (anon, as_user(other_reader)):
        page = viewer.get(comments_url(article)).json()["results"]
        assert all_ids(page) == shown
        more = viewer.get(comment_url(top.pk, "replies")).json()["results"]
        assert all_ids(more) == shown - {top.pk}
    own = as_user(reader).get(comments_url(article)).json()["results"]
    assert len(all_ids(own)) > len(shown)  # the author sees their pending and held


def test_a_shadow_banned_readers_comment_looks_published_to_them_alone(
    anon, as_user, article, reader, other_reader
):
    shadowed = add_comment(article, reader, status="held")
    Comment.objects.filter(pk=shadowed.pk).update(shadowed=True)

    own = as_user(reader).get(comment_url(shadowed.pk))

    assert own.json()["status"] == "approved"
    assert as_user(other_reader).get(comment_url(shadowed.pk)).status_code == 404
    assert anon.get(comments_url(article)).json()["results"] == []


def test_a_comment_never_shows_its_authors_email_or_username(anon, article):
    author = UserFactory(username="secretname", email="secret@example.org",
                         display_name="Public Name")  # fmt: skip
    comment = add_comment(article, author, body="Hello")

    for url in (comments_url(article), comment_url(comment.pk)):
        text = anon.get(url).content.decode()
        assert "Public Name" in text
        assert "secretname" not in text
        assert "secret@example.org" not in text


# --- Mass assignment ---------------------------------------------------------------


def test_posting_sets_nothing_but_the_body_and_parent(
    as_user, article, reader, other_reader
):
    elsewhere = ArticleFactory()
    response = as_user(reader).post(
        comments_url(article),
        {"body": "Hello", "status": "approved", "author": other_reader.pk,
         "score": 99, "id": 424242, "article": elsewhere.slug, "depth": 3,
         "is_deleted": True, "reply_count": 7, "my_vote": 1, "shadowed": True,
         "created_at": "2001-01-01T00:00:00Z"},
    )  # fmt: skip

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert comment.pk != 424242
    assert (comment.status, comment.author, comment.article) == (
        "pending", reader, article,
    )  # fmt: skip
    assert (comment.score, comment.depth, comment.reply_count) == (0, 0, 0)
    assert comment.deleted_at is None
    assert comment.shadowed is False
    assert comment.created_at.year > 2001


def test_editing_changes_nothing_but_the_body(as_user, article, reader, other_reader):
    comment = add_comment(article, reader, body="Before", status="pending")
    elsewhere = ArticleFactory()

    response = as_user(reader).patch(
        comment_url(comment.pk),
        {"body": "After", "status": "approved", "author": other_reader.pk,
         "score": 99, "id": 424242, "article": elsewhere.slug, "depth": 3,
         "is_deleted": True},
    )  # fmt: skip

    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.body == "After"
    assert (comment.status, comment.author, comment.article) == (
        "pending", reader, article,
    )  # fmt: skip
    assert (comment.score, comment.depth, comment.deleted_at) == (0, 0, None)
    assert not Comment.objects.filter(pk=424242).exists()


def test_the_profile_changes_only_display_name_and_reply_emails(as_user, reader):
    response = as_user(reader).patch(
        f"{API}/me/",
        {"display_name": "Rosa", "id": 999, "username": "admin",
         "email": "attacker@example.org", "is_staff": True, "is_superuser": True,
         "ban_is_shadow": True, "password": "x"},
    )  # fmt: skip

    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.pk != 999
    assert (reader.username, reader.email) == ("rosa", "rosa@example.org")
    assert not reader.is_staff
    assert not reader.is_superuser
    assert not reader.ban_is_shadow
    assert reader.check_password(PASSWORD)
    assert reader.display_name == "Rosa"


def test_registering_cannot_make_a_staff_or_moderator_account(
    anon, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(
            f"{API}/auth/register/",
            {"username": "mallory", "email": "m@example.org", "password": PASSWORD,
             "is_staff": True, "is_superuser": True, "id": 1, "groups": [1],
             "banned_until": None, "reply_emails": False},
        )  # fmt: skip

    assert response.status_code == 202
    finish_sign_up(client, "m@example.org")
    user = User.objects.get(username="mallory")
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.is_moderator
    assert not user.groups.exists()


def test_a_vote_sets_nothing_but_the_vote(as_user, article, reader, other_reader):
    comment = add_comment(article, other_reader)

    response = as_user(reader).post(
        comment_url(comment.pk, "vote"), {"value": 1, "score": 1000, "user": 1}
    )

    assert response.json() == {"score": 1, "my_vote": 1}


# --- Bodies built to break things --------------------------------------------------


def raw_post(client, url: str, body: bytes | str, content_type="application/json"):
    return client.generic("POST", url, body, content_type=content_type)


def test_a_body_over_the_limit_is_a_413_in_json(as_user, anon, article, reader):
    body = json.dumps({"body": "x" * settings.API_MAX_BODY_BYTES})

    for client, url in [
        (as_user(reader), comments_url(article)),
        (anon, f"{API}/auth/token/"),
        (anon, f"{API}/auth/register/"),
    ]:
        response = raw_post(client, url, body)
        assert "limit" in error_detail(response, 413)
        assert error_codes(response, 413) == ["request_too_large"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '{"body": ' + "[" * 5_000 + "]" * 5_000 + "}",
        "[" * 50_000,  # unbalanced, and deep
    ],
    ids=["arrays", "objects", "inside-a-field", "unclosed"],
)
def test_deeply_nested_json_is_a_400_never_a_500(as_user, article, reader, body):
    response = raw_post(as_user(reader), comments_url(article), body)

    assert "JSON parse error" in error_detail(response, 400)
    assert error_codes(response, 400) == ["parse_error"]


def test_json_nested_a_little_is_read_as_usual(as_user, article, reader):
    response = as_user(reader).post(
        comments_url(article), {"body": "Hi", "extra": [[[[{"a": [1]}]]]]}
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"body": "unterminated', "application/json"),
        ("{body: 'single'}", "application/json"),
        ('{"body": NaN}', "application/json"),
        ('{"body": "x"} trailing', "application/json"),
        (b'{"body": "\xff\xfe bytes"}', "application/json"),
        ('{"body": "x"}', "application/json; charset=bz2_codec"),
        ('{"body": "x"}', "application/json; charset=utf-32"),
    ],
    ids=["unterminated", "not-json", "nan", "trailing", "not-utf8", "bz2",
         "wrong-charset"],
)  # fmt: skip
def test_malformed_json_is_a_400(as_user, article, reader, body, content_type):
    response = raw_post(as_user(reader), comments_url(article), body, content_type)

    api_errors(response, 400)
    assert not Comment.objects.exists()


def test_a_key_given_twice_is_refused_rather_than_guessed(as_user, article, reader):
    response = raw_post(
        as_user(reader), comments_url(article), '{"body": "one", "body": "two"}'
    )

    assert "appears twice" in error_detail(response, 400)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "body",
    ['{"body": "\\ud800 lone surrogate"}', '{"body": "nul \\u0000 here"}',
     '{"body": "escape \\u001b[31m"}', "null", "[]", '"just a string"', "42"],
)  # fmt: skip
def test_odd_but_wellformed_json_is_a_400_naming_the_problem(
    as_user, article, reader, body
):
    response = raw_post(as_user(reader), comments_url(article), body)

    api_errors(response, 400)
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("body=Hello", "application/x-www-form-urlencoded"),
        ("Hello", "text/plain"),
        ('{"body": "Hello"}', "text/plain"),
        ("<body>Hello</body>", "application/xml"),
    ],
)
def test_a_body_that_is_not_json_is_a_415(as_user, article, reader, body, content_type):
    response = raw_post(as_user(reader), comments_url(article), body, content_type)

    assert "Unsupported media type" in error_detail(response, 415)
    assert error_codes(response, 415) == ["unsupported_media_type"]


def test_multipart_bodies_are_a_415(as_user, article, reader):
    client = as_user(reader)
    client.default_format = "multipart"

    response = client.post(comments_url(article), {"body": "Hello"})

    api_errors(response, 415)


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/api/v1/comments/99999999999999999999999999/"),
     ("post", "/api/v1/comments/9223372036854775808/vote/"),
     ("post", "/api/v1/moderation/users/9223372036854775808/ban/")],
)  # fmt: skip
def test_an_id_beyond_any_integer_column_is_a_404(as_user, moderator, method, url):
    response = getattr(as_user(moderator), method)(url, {"value": 1, "reason": "x"})

    api_errors(response, 404)


def test_a_parent_id_beyond_any_integer_column_is_a_400(as_user, article, reader):
    response = as_user(reader).post(
        comments_url(article), {"body": "Hi", "parent": 10**30}
    )

    assert error_attrs(response) == ["parent"]


@pytest.mark.parametrize(
    "header",
    ["Token ÿÿÿÿ", "Token é" + "a" * 60, "Token", "Token a b", "Token " + "z" * 64],
)
def test_a_garbled_token_header_is_a_401(anon, header):
    response = anon.get(f"{API}/me/", HTTP_AUTHORIZATION=header)

    api_errors(response, 401)


# --- Errors are JSON ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/no-such-thing/", 404),
        ("post", "/api/v1/no-such-thing/", 404),
        ("get", "/api/v1/articles/no-such-article/", 404),
        ("get", "/api/v1/comments/not-a-number/", 404),
        ("put", "/api/v1/articles/", 405),
        ("get", "/api/v1/auth/token/", 405),
        ("delete", "/api/v1/articles/", 405),
    ],
)
def test_errors_are_json_with_a_message(anon, method, url, status):
    response = getattr(anon, method)(url)

    assert error_detail(response, status)


def test_a_session_without_its_csrf_token_is_refused_in_json(article, reader):
    browser = json_client(enforce_csrf_checks=True)
    browser.force_login(reader)

    forged = browser.post(comments_url(article), {"body": "From another site"})
    profile = browser.patch(f"{API}/me/", {"display_name": "Owned"})

    assert "CSRF" in error_detail(forged, 403)
    assert "CSRF" in error_detail(profile, 403)
    assert browser.get(f"{API}/me/").status_code == 200  # reading needs no token
    assert not Comment.objects.exists()


def test_the_same_post_with_a_token_header_needs_no_csrf_token(anon, article, reader):
    key = anon.post(
        f"{API}/auth/token/", {"username": "rosa", "password": PASSWORD}
    ).json()["token"]
    app = json_client(enforce_csrf_checks=True)
    app.force_login(reader)
    app.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = app.post(comments_url(article), {"body": "From the app"})

    assert response.status_code == 201


def test_an_unreachable_database_is_a_503_in_json(anon, article):
    outage = OperationalError("could not connect to server: Connection refused")

    with mock.patch("comments.selectors.discussion_page", side_effect=outage):
        response = anon.get(comments_url(article))

    assert error_codes(response, 503) == ["unavailable"]
    assert int(response.headers["Retry-After"]) > 0


# --- Guessing passwords ------------------------------------------------------------


def sign_in_attempts(username: str, address: str) -> list:
    """One more than the limit of wrong guesses, and one after that."""
    limit, _ = parse_rate(settings.LOGIN_FAILURE_RATE)
    client = json_client(REMOTE_ADDR=address)
    guess = {"username": username, "password": "a wrong guess"}
    return [client.post(f"{API}/auth/token/", guess) for _ in range(limit + 2)]


def test_repeated_failed_sign_ins_are_a_429_alike_for_known_and_unknown_names(reader):
    # Frozen: a second ticking over between the two would change Retry-After.
    with time_machine.travel(timezone.now(), tick=False):
        known = sign_in_attempts("rosa", "10.0.0.1")
        unknown = sign_in_attempts("nobody-by-this-name", "10.0.0.2")

    limit, _ = parse_rate(settings.LOGIN_FAILURE_RATE)
    for answers in (known, unknown):
        statuses = [a.status_code for a in answers]
        assert statuses == [400] * limit + [429, 429]
        assert int(answers[-1].headers["Retry-After"]) > 0
    assert [a.json() for a in known] == [a.json() for a in unknown]
    assert known[-1].headers["Retry-After"] == unknown[-1].headers["Retry-After"]


def test_a_name_locked_by_a_guesser_still_lets_its_owner_in_from_elsewhere(reader):
    sign_in_attempts("rosa", "10.0.0.3")

    def right_password_from(address: str):
        return json_client(REMOTE_ADDR=address).post(
            f"{API}/auth/token/", {"username": "ROSA", "password": PASSWORD}
        )

    assert right_password_from("10.0.0.3").status_code == 429  # the guesser's
    assert right_password_from("10.0.0.4").status_code == 200  # the owner's


def test_one_address_guessing_many_names_is_stopped_too(db):
    limit, _ = parse_rate(settings.LOGIN_FAILURE_RATE_PER_ADDRESS)
    client = json_client(REMOTE_ADDR="10.0.0.5")

    statuses = [
        client.post(
            f"{API}/auth/token/", {"username": f"user{i}", "password": "guess"}
        ).status_code
        for i in range(limit + 1)
    ]

    assert statuses == [400] * limit + [429]


# --- Hostile strings ---------------------------------------------------------------


def naughty_strings(shared_data) -> list[str]:
    lines = (shared_data / "blns.txt").read_text(encoding="utf-8").splitlines()
    found = [line for line in lines if line.strip() and not line.startswith("#")]
    return [*found, "nul\x00inside", "cr\rinside", "crlf\r\nand lf\n", "\x1b[31mred"]


def test_hostile_strings_as_comment_bodies_never_break_or_inject(
    as_user, anon, article, reader, shared_data, fast_posting
):
    app = as_user(reader)
    accepted = 0

    for text in naughty_strings(shared_data):
        response = app.post(comments_url(article), {"body": text})
        assert response.status_code in {201, 400}, (text, response.content)
        if response.status_code == 201:
            accepted += 1
            assert unsafe_parts(response.json()["body_html"]) == [], text

    assert accepted > 400
    # Published, they read as safely to everyone else.
    Comment.objects.update(status="approved")
    url = comments_url(article) + "?sort=newest"
    while url:
        page = anon.get(url)
        assert page.status_code == 200
        for comment in page.json()["results"]:
            assert unsafe_parts(comment["body_html"]) == []
        url = page.json()["next"]


def test_hostile_strings_as_display_names_never_break_the_api(
    as_user, anon, article, reader, shared_data
):
    app = as_user(reader)
    comment = add_comment(article, reader)

    for text in naughty_strings(shared_data):
        response = app.patch(f"{API}/me/", {"display_name": text})
        assert response.status_code in {200, 400}, (text, response.content)
        if response.status_code == 200:
            shown = anon.get(comment_url(comment.pk)).json()["author"]["display_name"]
            assert shown == (response.json()["display_name"] or "rosa")
