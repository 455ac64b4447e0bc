"""A comment's page in the queue decides it: approve, reject, spam, ban the
author or a guest's address, each a plain form without JavaScript."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_import
from moderation.models import AuditEntry, GuestBan
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:moderation_queueitem_changelist")


def change_url(comment) -> str:
    return reverse("admin:moderation_queueitem_change", args=[comment.pk])


def action_url(comment, name: str) -> str:
    return reverse(f"admin:moderation_queueitem_{name}", args=[comment.pk])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def mod(db):
    return UserFactory(
        username="mod", is_staff=True, groups=[Group.objects.get(name="Moderators")]
    )


@pytest.fixture
def mod_client(client, mod):
    client.force_login(mod)
    return client


@pytest.fixture
def held():
    return add_comment(
        ArticleFactory(), UserFactory(username="writer"), status="held", body="Held"
    )


def guest(**kwargs) -> Comment:
    return comment_import(
        article=ArticleFactory(),
        guest_name="Gus",
        guest_email="Gus@Example.org",
        body="A guest's comment",
        status="held",
        **kwargs,
    )


def test_the_page_offers_the_decisions_as_plain_forms_and_no_save(mod_client, held):
    page = mod_client.get(change_url(held)).content.decode()

    panel = page[page.index('id="queue-decide"') : page.index('id="queueitem_form"')]
    assert f'action="{action_url(held, "decide")}"' in panel
    for value in ("approve", "reject", "spam"):
        assert f'name="action" value="{value}"' in panel
    assert f'action="{action_url(held, "ban")}"' in panel
    assert "Ban the author" in panel
    assert panel.count('name="csrfmiddlewaretoken"') == 2
    for length in ("1 day", "7 days", "30 days", "Permanently"):
        assert length in panel
    assert 'name="shadow"' in panel
    assert "Ban this guest address" not in panel
    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    # The CSP forbids inline scripts and styles.
    assert " style=" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None


def test_a_guest_comment_offers_the_guest_ban_instead(mod_client):
    comment = guest()

    page = mod_client.get(change_url(comment)).content.decode()

    assert f'action="{action_url(comment, "guest_ban")}"' in page
    assert "Ban this guest address" in page
    assert f'action="{action_url(comment, "ban")}"' not in page


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("approve", "approved", "Approved"),
        ("reject", "rejected", "Rejected"),
        ("spam", "spam", "Marked as spam"),
    ],
)
def test_each_button_decides_the_comment_and_writes_the_audit_entry(
    mod_client, held, action, status, message
):
    response = mod_client.post(
        action_url(held, "decide"), {"action": action, "reason": "Read it twice."}
    )

    held.refresh_from_db()
    assert held.status == status
    entry = AuditEntry.objects.get(comment=held, actor_name="mod")
    assert (entry.action, entry.before, entry.after) == (action, "held", status)
    assert entry.reasons == ["Read it twice."]
    assert held.decision["reasons"] == ["Read it twice."]
    assert said(response) == [f"{message}: comment #{held.pk}."]


def test_a_decision_moves_on_to_the_next_waiting_comment_then_the_queue(mod_client):
    article, author = ArticleFactory(), UserFactory()
    first, second = (
        add_comment(article, author, status="held", body=f"Held {i}") for i in (1, 2)
    )

    response = mod_client.post(action_url(first, "decide"), {"action": "approve"})
    assert response.status_code == 302
    assert response.url == change_url(second)

    response = mod_client.post(action_url(second, "decide"), {"action": "reject"})
    assert response.url == QUEUE


def test_the_next_comment_is_the_oldest_when_none_is_later(mod_client):
    article, author = ArticleFactory(), UserFactory()
    older = add_comment(article, author, status="held", body="Older")
    newer = add_comment(article, author, status="held", body="Newer")

    response = mod_client.post(action_url(newer, "decide"), {"action": "approve"})

    assert response.url == change_url(older)


def test_an_action_the_form_does_not_offer_is_refused_with_a_message(mod_client, held):
    response = mod_client.post(action_url(held, "decide"), {"action": "hold"})

    assert response.status_code == 302
    assert response.url == change_url(held)
    assert said(response)[0].startswith("Nothing changed: Select a valid choice.")
    held.refresh_from_db()
    assert held.status == "held"
    assert not AuditEntry.objects.filter(comment=held).exists()


def test_a_staff_user_who_is_not_a_moderator_gets_403_and_nothing_changes(client, held):
    staff = UserFactory(username="clerk", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_queueitem", "change_queueitem"])
    )
    client.force_login(staff)

    decide = client.post(action_url(held, "decide"), {"action": "approve"})
    ban = client.post(action_url(held, "ban"), {"reason": "No.", "days": "7"})

    assert (decide.status_code, ban.status_code) == (403, 403)
    held.refresh_from_db()
    held.author.refresh_from_db()
    assert held.status == "held"
    assert not held.author.has_active_ban
    assert not AuditEntry.objects.exists()


def test_editors_get_403_from_the_guest_ban_and_no_ban_is_written(client, editor):
    comment = guest()
    client.force_login(editor)

    response = client.post(action_url(comment, "guest_ban"), {"reason": "No."})

    assert response.status_code == 403
    assert not GuestBan.objects.exists()


def test_the_actions_need_a_post_and_the_page_itself_saves_nothing(mod_client, held):
    assert mod_client.get(action_url(held, "decide")).status_code == 405
    saved = mod_client.post(change_url(held), {"status": "approved"})

    assert saved.status_code == 405
    held.refresh_from_db()
    assert held.status == "held"


def test_a_decision_without_the_csrf_token_is_refused(mod, held):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mod)

    response = client.post(action_url(held, "decide"), {"action": "approve"})

    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == "held"


def test_an_unknown_comment_is_not_found(mod_client):
    url = reverse("admin:moderation_queueitem_decide", args=["999999"])
    assert mod_client.post(url, {"action": "approve"}).status_code == 404
    url = reverse("admin:moderation_queueitem_decide", args=["x1"])
    assert mod_client.post(url, {"action": "approve"}).status_code == 404


def test_a_ban_with_a_length_sets_banned_until_and_rejects_the_comment(
    mod_client, held
):
    before = timezone.now()

    response = mod_client.post(
        action_url(held, "ban"),
        {"reason": "Abuse, again.", "days": "30", "reject": "on"},
    )

    author = held.author
    author.refresh_from_db()
    assert author.is_banned
    assert not author.ban_is_permanent
    assert (
        before + timedelta(days=30)
        <= author.banned_until
        <= timezone.now() + timedelta(days=30)
    )
    assert author.ban_reason == "Abuse, again."
    held.refresh_from_db()
    assert held.status == "rejected"
    ban = AuditEntry.objects.get(action="ban")
    assert (ban.comment_id, ban.subject_user_id) == (held.pk, author.pk)
    assert said(response) == [
        f"Banned writer for 30 day(s); comment #{held.pk} rejected."
    ]
    assert response.url == QUEUE


def test_a_permanent_shadow_ban_can_leave_the_comment_waiting(mod_client, held):
    mod_client.post(
        action_url(held, "ban"),
        {"reason": "Spam ring.", "days": "forever", "shadow": "on"},
    )

    author = held.author
    author.refresh_from_db()
    assert author.ban_is_permanent
    assert author.is_shadow_banned
    assert author.banned_until is None
    held.refresh_from_db()
    assert held.status == "held"


def test_a_ban_needs_a_reason_and_a_known_length(mod_client, held):
    no_reason = mod_client.post(action_url(held, "ban"), {"reason": " ", "days": "7"})
    bad_length = mod_client.post(
        action_url(held, "ban"), {"reason": "Abuse.", "days": "365"}
    )

    assert said(no_reason) == ["Nothing changed: This field is required."]
    assert said(bad_length)[-1].startswith("Nothing changed: Select a valid choice.")
    held.author.refresh_from_db()
    assert not held.author.has_active_ban
    assert not AuditEntry.objects.exists()


def test_a_ban_the_service_refuses_changes_nothing_not_even_the_rejection(
    mod_client,
):
    other_mod = UserFactory(groups=[Group.objects.get(name="Moderators")])
    comment = add_comment(ArticleFactory(), other_mod, status="held", body="Mine")

    response = mod_client.post(
        action_url(comment, "ban"),
        {"reason": "Testing.", "days": "7", "reject": "on"},
    )

    assert response.url == change_url(comment)
    assert said(response) == ["Nothing changed: Moderators cannot be banned here."]
    comment.refresh_from_db()
    other_mod.refresh_from_db()
    assert comment.status == "held"
    assert not other_mod.has_active_ban
    assert not AuditEntry.objects.exists()


def test_a_guest_ban_from_a_guest_comment_bans_the_address(mod_client):
    comment = guest()

    response = mod_client.post(
        action_url(comment, "guest_ban"), {"reason": "Bot.", "reject": "on"}
    )

    ban = GuestBan.objects.get()
    assert (ban.email, ban.reason) == ("gus@example.org", "Bot.")
    comment.refresh_from_db()
    assert comment.status == "rejected"
    assert AuditEntry.objects.filter(action="guest_ban").count() == 1
    assert said(response) == [
        f"Banned the guest address gus@example.org; comment #{comment.pk} rejected."
    ]


def test_the_account_and_guest_bans_refuse_the_wrong_kind_of_author(mod_client, held):
    comment = guest()

    on_account = mod_client.post(action_url(held, "guest_ban"), {"reason": "x"})
    on_guest = mod_client.post(action_url(comment, "ban"), {"reason": "x", "days": "7"})

    assert said(on_account) == ["Nothing changed: this comment is not a guest's."]
    assert said(on_guest)[-1] == "Nothing changed: a guest wrote it; ban the address."
    assert not GuestBan.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_comment_and_why_it_waits_come_first_and_escaped(mod_client):
    comment = add_comment(
        ArticleFactory(),
        UserFactory(),
        status="held",
        body="<script>alert(1)</script>\nSecond line",
    )

    page = mod_client.get(change_url(comment)).content.decode()

    top = page[page.index('id="queue-comment"') : page.index('id="queue-decide"')]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in top
    assert "<strong>Held for review</strong>" in top
    assert "<script>alert(1)" not in page
