"""The author reads why their comment stands where it does, and may appeal once;
a person other than the one who decided reviews it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from moderation import appeals, bans, services
from moderation.models import Appeal, Term
from tests.factories import make_moderator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_posting")]
JSON = "application/json"


@pytest.fixture
def rejected(post, article, regular):
    Term.objects.create(phrase="dimwit", kind=Term.Kind.BANNED)
    comment = post(article=article, author=regular, body="Only a dimwit says so")
    assert comment.status == Comment.Status.REJECTED
    return comment


def test_the_author_reads_the_reasons_on_the_api_and_the_page(
    client, rejected, regular, other_reader
):
    client.force_login(regular)
    decision = client.get(f"/api/v1/comments/{rejected.pk}/").json()["decision"]

    assert decision["action"] == "reject"
    assert decision["automated"] is True
    assert decision["reasons"] == ["Contains the banned term(s) “dimwit”."]
    assert decision["policy"] == "open"
    assert decision["appealable_until"] > decision["decided_at"]
    assert decision["appeal"] is None
    page = client.get(rejected.article.get_absolute_url()).content.decode()
    assert "Contains the banned term(s) “dimwit”." in page
    assert f"/comments/{rejected.pk}/appeal/" in page
    mine = client.get(reverse("comments:mine")).content.decode()
    assert "Contains the banned term(s)" in mine

    client.force_login(other_reader)
    assert client.get(f"/api/v1/comments/{rejected.pk}/").status_code == 404


def test_nobody_but_the_author_and_moderators_reads_a_decision(
    client, post, article, regular, other_reader
):
    published = post(article=article, author=regular, body="A fair point, well made.")
    assert published.decision["action"] == "approve"

    client.force_login(other_reader)
    assert client.get(f"/api/v1/comments/{published.pk}/").json()["decision"] is None
    client.logout()
    assert client.get(f"/api/v1/comments/{published.pk}/").json()["decision"] is None
    client.force_login(make_moderator("mod"))
    seen = client.get(f"/api/v1/comments/{published.pk}/").json()["decision"]
    assert seen["action"] == "approve"


def test_an_appeal_is_taken_once_and_only_where_there_is_something_to_appeal(
    client, rejected, regular, post, article
):
    client.force_login(regular)
    url = f"/api/v1/comments/{rejected.pk}/appeal/"

    first = client.post(url, {"note": "It was a quote."}, content_type=JSON)
    again = client.post(url, {"note": "Please!"}, content_type=JSON)

    assert first.status_code == 201
    assert first.json()["status"] == "open"
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "conflict"
    published = post(article=article, author=regular, body="A fair point, well made.")
    on_approved = client.post(
        f"/api/v1/comments/{published.pk}/appeal/", {}, content_type=JSON
    )
    assert on_approved.status_code == 400
    assert Appeal.objects.count() == 1
    decision = client.get(f"/api/v1/comments/{rejected.pk}/").json()["decision"]
    assert decision["appeal"]["status"] == "open"


def test_an_appeal_after_the_window_is_refused(client, rejected, regular, settings):
    later = timezone.now() + timedelta(days=settings.MODERATION_APPEAL_DAYS + 1)

    with time_machine.travel(later):
        client.force_login(regular)
        response = client.post(
            f"/api/v1/comments/{rejected.pk}/appeal/", {}, content_type=JSON
        )

    assert response.status_code == 400
    assert "passed" in response.json()["errors"][0]["detail"]


def test_another_readers_appeal_is_refused(client, post, article, regular, reader):
    published = post(article=article, author=regular, body="A fair point, well made.")
    client.force_login(reader)

    response = client.post(
        f"/api/v1/comments/{published.pk}/appeal/", {}, content_type=JSON
    )

    assert response.status_code == 403


def test_the_moderator_who_decided_cannot_decide_the_appeal_another_reverses_it(
    client, post, article, regular
):
    first, second = make_moderator("first"), make_moderator("second")
    comment = post(article=article, author=regular, body="A fair point, well made.")
    services.moderator_decide(comment=comment, moderator=first, action="reject",
                              reason="Off topic.")  # fmt: skip
    comment.refresh_from_db()
    assert comment.decision["reasons"] == ["Off topic."]
    assert comment.decision["automated"] is False
    appeal = appeals.appeal_file(comment=comment, user=regular, note="It is not.")
    article.refresh_from_db()
    count_before = article.comment_count

    client.force_login(first)
    url = f"/api/v1/moderation/appeals/{appeal.pk}/decision/"
    refused = client.post(url, {"outcome": "reverse"}, content_type=JSON)
    assert refused.status_code == 403
    client.force_login(second)
    listed = client.get("/api/v1/moderation/appeals/", {"status": "open"}).json()
    assert [a["id"] for a in listed["results"]] == [appeal.pk]
    assert listed["results"][0]["note"] == "It is not."
    done = client.post(url, {"outcome": "reverse", "reason": "It is on topic."},
                       content_type=JSON)  # fmt: skip
    assert done.status_code == 200
    assert done.json()["outcome"] == "reverse"

    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.decision["reasons"] == ["It is on topic."]
    assert comment.decision["appeal"]["outcome"] == "reverse"
    assert article.comment_count == count_before + 1
    client.logout()
    assert client.get(f"/api/v1/comments/{comment.pk}/").status_code == 200
    again = client.post(url, {"outcome": "uphold"}, content_type=JSON)
    assert again.status_code in {401, 403}


def test_a_machine_decision_is_reviewed_by_any_moderator_and_can_stand(
    rejected, regular
):
    appeal = appeals.appeal_file(comment=rejected, user=regular)

    appeals.appeal_decide(appeal=appeal, moderator=make_moderator("mod"),
                           outcome="uphold")  # fmt: skip

    rejected.refresh_from_db()
    assert rejected.status == Comment.Status.REJECTED
    assert rejected.decision["appeal"]["outcome"] == "uphold"


def test_a_shadowed_comment_shows_no_decision_and_takes_no_appeal(
    client, post, article, regular
):
    until = timezone.now() + timedelta(days=3)
    bans.user_ban(user=regular, moderator=make_moderator("mod"), reason="Troll",
                      until=until, shadow=True)  # fmt: skip
    comment = post(article=article, author=regular, body="Anything at all here")
    client.force_login(regular)

    shown = client.get(f"/api/v1/comments/{comment.pk}/").json()
    appeal = client.post(
        f"/api/v1/comments/{comment.pk}/appeal/", {}, content_type=JSON
    )

    assert shown["status"] == "approved"
    assert shown["decision"] is None
    assert appeal.status_code == 400
    assert (
        client.get(reverse("moderation:appeal", args=[comment.pk])).status_code == 404
    )


def test_the_author_appeals_from_the_page(client, rejected, regular):
    client.force_login(regular)
    page = client.get(reverse("moderation:appeal", args=[rejected.pk]))
    assert "Contains the banned term(s)" in page.content.decode()

    sent = client.post(reverse("moderation:appeal", args=[rejected.pk]),
                       {"note": "Quoting it to object."})  # fmt: skip

    assert sent.status_code == 302
    assert Appeal.objects.get().note == "Quoting it to object."
    assert (
        "/appeal/"
        not in client.get(rejected.article.get_absolute_url()).content.decode()
    )  # appealed: the link goes


def test_a_second_moderator_reverses_an_appeal_from_the_admin(
    client, rejected, regular
):
    appeal = appeals.appeal_file(comment=rejected, user=regular, note="A quote.")
    client.force_login(make_moderator("mod"))
    changelist = reverse("admin:moderation_appeal_changelist")

    listed = client.get(changelist)
    done = client.post(
        changelist,
        {"action": "reverse", "_selected_action": [appeal.pk]},
        follow=True,
    )

    assert "A quote." in listed.content.decode()
    assert "Reversed: the comment is published: 1 appeal(s)." in done.content.decode()
    rejected.refresh_from_db()
    assert rejected.status == Comment.Status.APPROVED
