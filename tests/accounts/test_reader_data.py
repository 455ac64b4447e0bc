"""A reader's own data: the export of everything the site holds on them, the
erasure of their account (API, pages, admin), and how long addresses are kept."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import privacy, services, tasks
from accounts.models import User
from accounts.signals import account_erasing
from articles.models import Article
from comments.models import ArticleSubscription, Comment, Vote
from comments.services import article_follow, comment_vote
from moderation.models import Appeal, AuditEntry, Flag
from moderation.services import flag_comment
from tests.api.conftest import API, error_attrs, error_codes, json_client, sign_in
from tests.comments.helpers import add_comment
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

SECTIONS = {"profile", "tokens", "comments", "votes", "follows", "flags", "appeals"}


@pytest.fixture
def world(article, reader, other_reader, fast_posting):
    """Rosa and Sam each with comments in several statuses, votes, a flag, a
    follow and an appeal, on one article; Rosa's first comment has Sam's reply."""
    other_article = ArticleFactory(slug="another-story")
    rosa_top = add_comment(article, reader, body="Rosa's top words")
    sam_reply = add_comment(article, other_reader, parent=rosa_top,
                            body="Sam answers Rosa")  # fmt: skip
    rosa_reply = add_comment(article, reader, parent=sam_reply,
                             body="Rosa answers back")  # fmt: skip
    rosa_held = add_comment(other_article, reader, status="held", body="Rosa waits")
    rosa_rejected = add_comment(article, reader, status="rejected",
                                body="Rosa rejected")  # fmt: skip
    sam_top = add_comment(article, other_reader, body="Sam's own thread")
    carla = UserFactory(username="carla")
    for voter in (reader, carla):
        comment_vote(comment=sam_top, user=voter, value=1)
    comment_vote(comment=sam_reply, user=reader, value=-1)
    comment_vote(comment=rosa_top, user=other_reader, value=1)
    flag_comment(comment=sam_top, user=reader, reason="off_topic", note="Not this")
    flag_comment(comment=rosa_top, user=other_reader, reason="spam")
    article_follow(article=article, user=reader, follow=True)
    article_follow(article=article, user=other_reader, follow=True)
    Appeal.objects.create(comment=rosa_rejected, author=reader,
                          decided_at=timezone.now(), action="reject",
                          note="Please look again")  # fmt: skip
    return {
        "rosa": [rosa_top, rosa_reply, rosa_held, rosa_rejected],
        "rosa_top": rosa_top,
        "sam_reply": sam_reply,
        "sam_top": sam_top,
        "other_article": other_article,
    }


def app_for(user) -> APIClient:
    client = json_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(client, user.username)}")
    return client


# --- Export ------------------------------------------------------------------------


def test_the_export_holds_every_section_with_the_readers_own_rows_only(
    world, article, reader
):
    data = app_for(reader).get(f"{API}/me/export/").json()

    assert set(data) == SECTIONS
    assert data["profile"]["username"] == "rosa"
    assert data["profile"]["email"] == "rosa@example.org"
    comments = {c["id"]: c for c in data["comments"]}
    assert set(comments) == {c.pk for c in world["rosa"]}
    assert {c["status"] for c in comments.values()} == {"approved", "held",
                                                         "rejected"}  # fmt: skip
    reply = comments[world["rosa"][1].pk]
    assert (reply["article"], reply["parent"]) == (article.slug, world["sam_reply"].pk)
    assert reply["body"] == "Rosa answers back"
    assert comments[world["rosa"][2].pk]["article"] == "another-story"
    assert sorted((v["comment"], v["value"]) for v in data["votes"]) == sorted(
        [(world["sam_top"].pk, 1), (world["sam_reply"].pk, -1)]
    )
    assert [(f["comment"], f["reason"], f["note"]) for f in data["flags"]] == [
        (world["sam_top"].pk, "off_topic", "Not this")
    ]
    assert [f["article"] for f in data["follows"]] == [article.slug]
    assert [a["note"] for a in data["appeals"]] == ["Please look again"]
    assert len(data["tokens"]) == 1
    text = json.dumps(data)
    for sams in ("Sam answers Rosa", "Sam's own thread", "sam@example.org"):
        assert sams not in text


def test_the_export_carries_no_token_no_digest_and_no_password_hash(world, reader):
    _, second_device = AuthToken.objects.create(reader)
    app = app_for(reader)

    text = app.get(f"{API}/me/export/").content.decode()

    reader.refresh_from_db()
    assert reader.password not in text
    assert reader.password.split("$")[-1] not in text
    assert second_device not in text
    assert second_device[:8] not in text
    for token in AuthToken.objects.filter(user=reader):
        assert token.digest not in text
        assert token.token_key not in text
    assert len(json.loads(text)["tokens"]) == 2
    assert set(json.loads(text)["tokens"][0]) == {"created", "expires", "last_used"}


def test_a_shadow_banned_reader_is_not_told_of_the_ban_by_the_export(article, reader):
    User.objects.filter(pk=reader.pk).update(ban_is_permanent=True, ban_is_shadow=True)
    reader.refresh_from_db()
    shadowed = add_comment(article, reader, status="rejected")
    Comment.objects.filter(pk=shadowed.pk).update(shadowed=True)

    data = privacy.reader_data(user=reader)

    assert data["profile"]["ban"] is None
    assert [c["status"] for c in data["comments"]] == ["approved"]
    assert "shadowed" not in data["comments"][0]


def test_the_export_needs_a_signed_in_reader():
    response = json_client().get(f"{API}/me/export/")

    assert error_codes(response, 401) == ["not_authenticated"]


def _grow(reader, how_many: int) -> None:
    article, other = ArticleFactory(), UserFactory()
    for n in range(how_many):
        mine = add_comment(article, reader, body=f"Mine number {n}")
        theirs = add_comment(article, other, parent=mine, body=f"Theirs {n}")
        Vote.objects.create(comment=theirs, user=reader, value=1)
        Flag.objects.create(comment=theirs, user=reader, reason="spam")
        ArticleSubscription.objects.create(article=ArticleFactory(), user=reader)


def test_the_export_costs_the_same_queries_for_5_comments_as_for_50(
    reader, django_assert_max_num_queries
):
    _grow(reader, 5)
    with CaptureQueriesContext(connection) as five:
        small = privacy.reader_data(user=reader)
    _grow(reader, 45)

    with django_assert_max_num_queries(len(five.captured_queries)):
        large = privacy.reader_data(user=reader)

    assert len(small["comments"]) == 5
    assert (len(large["comments"]), len(large["votes"]), len(large["flags"])) == (
        50, 50, 50,
    )  # fmt: skip


# --- Erasure over the API -----------------------------------------------------------


def test_erasing_with_a_wrong_password_is_refused_and_changes_nothing(world, reader):
    app = app_for(reader)
    before = list(Comment.objects.order_by("pk").values_list("body", "score"))

    response = app.delete(f"{API}/me/", {"password": "not my password"})

    assert error_attrs(response) == ["password"]
    assert error_codes(response, 400) == ["invalid"]
    assert list(Comment.objects.order_by("pk").values_list("body", "score")) == before
    assert Vote.objects.filter(user=reader).count() == 2
    assert Flag.objects.filter(user=reader).count() == 1
    assert app.get(f"{API}/me/").json()["username"] == "rosa"


@pytest.mark.parametrize("body", [{}, {"password": ""}])
def test_erasing_without_a_password_is_a_400_naming_it(world, reader, body):
    app = app_for(reader)

    response = app.delete(f"{API}/me/", body)

    assert error_attrs(response) == ["password"]
    assert User.objects.get(pk=reader.pk).username == "rosa"


def test_wrong_passwords_for_erasing_count_against_the_sign_in_limit(
    world, reader, settings
):
    settings.LOGIN_FAILURE_RATE = "2/15minute"
    app = app_for(reader)
    for _ in range(2):
        app.delete(f"{API}/me/", {"password": "guess"})

    response = app.delete(f"{API}/me/", {"password": PASSWORD})

    assert error_codes(response, 429) == ["throttled"]
    assert "Retry-After" in response.headers
    assert User.objects.get(pk=reader.pk).username == "rosa"


def test_erasing_with_the_right_password_erases_the_account_and_keeps_the_threads(
    world, article, reader, client, django_capture_on_commit_callbacks
):
    app, other_device = app_for(reader), app_for(reader)
    sam_top, rosa_top = world["sam_top"], world["rosa_top"]
    count_before = Article.objects.get(pk=article.pk).comment_count
    client.get(article.get_absolute_url())  # the anonymous rendering, cached

    with django_capture_on_commit_callbacks(execute=True):
        response = app.delete(f"{API}/me/", {"password": PASSWORD})

    assert response.status_code == 204
    # Comments: text gone, nodes kept as a deleted account's, replies in place.
    for comment in Comment.objects.filter(pk__in=[c.pk for c in world["rosa"]]):
        assert (comment.body, comment.body_html) == ("", "")
        assert comment.is_deleted
        assert comment.author_name == "Deleted account"
    reply = Comment.objects.get(pk=world["sam_reply"].pk)
    assert (reply.parent_id, reply.body) == (rosa_top.pk, "Sam answers Rosa")
    # Counts: Rosa's two approved comments on this article no longer count.
    assert Article.objects.get(pk=article.pk).comment_count == count_before - 2
    # Votes gone, and the scores they moved follow.
    assert Comment.objects.get(pk=sam_top.pk).score == 1  # Carla's vote alone
    assert Comment.objects.get(pk=world["sam_reply"].pk).score == 0
    assert not Vote.objects.filter(user=reader).exists()
    assert Vote.objects.filter(comment=sam_top).count() == 1
    # Flags and follows gone; other readers' stay.
    assert not Flag.objects.filter(user=reader).exists()
    assert Flag.objects.filter(comment=rosa_top).count() == 1
    assert list(ArticleSubscription.objects.values_list("user__username", flat=True))
    assert not ArticleSubscription.objects.filter(user=reader).exists()
    assert Appeal.objects.get().author is None
    assert Appeal.objects.get().note == ""
    # No token works and the account cannot sign in again.
    for device in (app, other_device):
        assert error_codes(device.get(f"{API}/me/"), 401) == ["authentication_failed"]
    refused = json_client().post(
        f"{API}/auth/token/", {"username": "rosa", "password": PASSWORD}
    )
    assert refused.status_code == 400
    erased = User.objects.get(pk=reader.pk)
    assert not erased.is_active
    assert not erased.has_usable_password()
    assert "rosa" not in (erased.username + erased.email + erased.display_name)
    # The shared discussion page shows it at once.
    html = client.get(article.get_absolute_url()).content.decode()
    assert "top words" not in html
    assert "Deleted account" in html
    assert "Sam answers Rosa" in html
    # The erasure is audited, under no name of the reader's.
    entry = AuditEntry.objects.get(action="erase")
    assert (entry.subject_user_id, entry.actor_id) == (reader.pk, reader.pk)
    assert "rosa" not in entry.actor_name + entry.reason_text


def test_a_failure_anywhere_in_the_erasure_writes_nothing(world, reader):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    account_erasing.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            services.user_erase_own(user=reader, password=PASSWORD, address="1.2.3.4")
    finally:
        account_erasing.disconnect(dispatch_uid="test.broken")

    assert User.objects.get(pk=reader.pk).username == "rosa"
    assert User.objects.get(pk=reader.pk).check_password(PASSWORD)
    assert Comment.objects.get(pk=world["rosa_top"].pk).body == "Rosa's top words"
    assert Vote.objects.filter(user=reader).count() == 2
    assert Flag.objects.filter(user=reader).count() == 1
    assert not AuditEntry.objects.filter(action="erase").exists()


def test_erasing_twice_changes_nothing_the_second_time(world, reader, moderator):
    assert services.user_erase(user=reader, erased_by=moderator) is True

    assert services.user_erase(user=reader, erased_by=moderator) is False
    assert AuditEntry.objects.filter(action="erase").count() == 1


# --- Pages ------------------------------------------------------------------------


def test_the_profile_offers_the_download_and_the_deletion(client, reader):
    client.force_login(reader)

    html = client.get("/accounts/profile/").content.decode()

    assert 'href="/accounts/profile/export/"' in html
    assert "Download my data" in html
    assert 'href="/accounts/profile/delete/"' in html
    assert "Delete my account" in html


def test_the_download_is_a_json_attachment_of_the_readers_data(world, client, reader):
    client.force_login(reader)

    response = client.get("/accounts/profile/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert set(data) == SECTIONS
    assert {c["id"] for c in data["comments"]} == {c.pk for c in world["rosa"]}


def test_the_download_and_the_deletion_need_a_signed_in_reader(client):
    for path in ("/accounts/profile/export/", "/accounts/profile/delete/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_a_wrong_password_on_the_delete_page_is_a_form_error_and_nothing_changes(
    world, client, reader
):
    client.force_login(reader)
    page = client.get("/accounts/profile/delete/").content.decode()
    assert "Enter your password to confirm" in page

    response = client.post("/accounts/profile/delete/", {"password": "nope"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_password_errors"' in html
    assert "That is not your password" in html
    assert User.objects.get(pk=reader.pk).username == "rosa"
    assert Comment.objects.get(pk=world["rosa_top"].pk).body == "Rosa's top words"
    assert client.get("/accounts/profile/").status_code == 200  # still signed in


def test_deleting_from_the_page_erases_the_account_and_signs_the_reader_out(
    world, client, reader
):
    client.force_login(reader)

    response = client.post("/accounts/profile/delete/", {"password": PASSWORD},
                           follow=True)  # fmt: skip

    assert response.redirect_chain[-1] == ("/", 302)
    assert "Your account is deleted" in response.content.decode()
    assert client.get("/accounts/profile/").status_code == 302  # signed out
    assert Comment.objects.get(pk=world["rosa_top"].pk).body == ""
    signed_in = client.post("/accounts/login/",
                            {"username": "rosa", "password": PASSWORD})  # fmt: skip
    assert signed_in.status_code == 200  # the form again, with its error


# --- Admin ------------------------------------------------------------------------


@pytest.fixture
def chief_client(client):
    admin = UserFactory(username="chief", is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.admin = admin
    return client


def test_the_admin_erases_selected_accounts_after_confirming_and_is_audited(
    world, chief_client, reader, other_reader
):
    chosen = {"action": "erase_accounts", "_selected_action": [reader.pk]}

    asked = chief_client.post("/admin/accounts/user/", chosen)

    assert asked.status_code == 200
    assert "Yes, erase them" in asked.content.decode()
    assert User.objects.get(pk=reader.pk).username == "rosa"  # nothing yet

    done = chief_client.post("/admin/accounts/user/", {**chosen, "confirm": "yes"})

    assert done.status_code == 302
    assert User.objects.get(pk=reader.pk).display_name == "Deleted account"
    assert User.objects.get(pk=other_reader.pk).username == "sam"
    assert Comment.objects.get(pk=world["rosa_top"].pk).body == ""
    entry = AuditEntry.objects.get(action="erase")
    assert (entry.actor_id, entry.actor_name) == (chief_client.admin.pk, "chief")
    assert entry.subject_user_id == reader.pk
    assert "by an administrator" in entry.reason_text


def test_the_admin_cannot_erase_its_own_account_from_the_list(chief_client):
    admin = chief_client.admin
    chosen = {"action": "erase_accounts", "_selected_action": [admin.pk],
              "confirm": "yes"}  # fmt: skip

    chief_client.post("/admin/accounts/user/", chosen)

    assert User.objects.get(pk=admin.pk).username == "chief"
    assert not AuditEntry.objects.filter(action="erase").exists()


def test_staff_without_the_right_to_delete_accounts_see_no_erase_action(
    client, reader, moderator
):
    client.force_login(moderator)  # may view accounts, not delete them
    listing = client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    assert 'value="erase_accounts"' not in listing.content.decode()

    chosen = {"action": "erase_accounts", "_selected_action": [reader.pk],
              "confirm": "yes"}  # fmt: skip
    client.post("/admin/accounts/user/", chosen)

    assert User.objects.get(pk=reader.pk).username == "rosa"
    assert not AuditEntry.objects.filter(action="erase").exists()


# --- Addresses --------------------------------------------------------------------


def test_the_beat_task_erases_addresses_older_than_the_setting_and_keeps_newer(
    article, reader, settings
):
    settings.PRIVACY_ADDRESS_DAYS = 30
    old, recent = add_comment(article, reader), add_comment(article, reader)
    Comment.objects.filter(pk=old.pk).update(
        ip_hash="a" * 64, created_at=timezone.now() - timedelta(days=31)
    )
    Comment.objects.filter(pk=recent.pk).update(
        ip_hash="b" * 64, created_at=timezone.now() - timedelta(days=29)
    )

    cleared = tasks.erase_old_addresses.delay().get()

    assert cleared == 1
    assert Comment.objects.get(pk=old.pk).ip_hash == ""
    assert Comment.objects.get(pk=recent.pk).ip_hash == "b" * 64
    assert tasks.erase_old_addresses.delay().get() == 0  # twice changes nothing


def test_beat_runs_the_address_erasure(settings):
    tasks_run = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "accounts.tasks.erase_old_addresses" in tasks_run


def test_the_admin_offers_no_outright_delete_of_accounts(chief_client, reader):
    listing = chief_client.get("/admin/accounts/user/").content.decode()
    assert 'value="erase_accounts"' in listing
    assert 'value="delete_selected"' not in listing

    chief_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [reader.pk], "post": "yes"},
    )

    assert User.objects.filter(pk=reader.pk).exists()
