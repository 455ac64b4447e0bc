"""An author appeals a moderator's rejection and another moderator reverses it,
in real chromium: the author sees why, objects, and the comment comes back."""

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from comments.models import Comment
from moderation.models import Appeal, AuditEntry
from moderation.services import moderator_decide
from tests.comments.helpers import add_comment
from tests.factories import ArticleFactory, UserFactory, make_moderator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REASON = "It calls another reader names."
NOTE = "I was quoting the minister's own words, in quotation marks."
APPEALS = "/admin/moderation/appeal/"


def reverse_in_admin(page, comment: Comment) -> None:
    page.goto(APPEALS)
    row = page.locator("#result_list tr", has_text=comment.body[:40])
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(
        label="Reverse: publish the comments"
    )
    page.get_by_role("button", name="Go").click()


def test_an_author_appeals_a_rejection_and_another_moderator_reverses_it(open_as):
    first, second = make_moderator("mod-one"), make_moderator("mod-two")
    article = ArticleFactory(title="The minister and the chips")
    host = add_comment(article, UserFactory(), body="The subsidy buys little.")
    author = UserFactory(username="quoter", email="quoter@example.org")
    reply = add_comment(
        article, author, parent=host, body="“Bunch of clowns”, he called them."
    )
    moderator_decide(comment=reply, moderator=first, action="reject", reason=REASON)
    article.refresh_from_db()
    host.refresh_from_db()
    assert (article.comment_count, host.reply_count) == (1, 0)

    # The author sees the reason on the discussion and on "your comments".
    page = open_as(author)
    page.goto(article.get_absolute_url())
    mine = page.locator(f"#comment-{reply.pk}")
    expect(mine).to_contain_text("Not published: rejected in moderation")
    expect(mine.locator(".reasons")).to_contain_text(REASON)
    page.goto("/comments/mine/")
    expect(page.locator(".comment.mine")).to_contain_text(REASON)
    page.get_by_role("link", name="The decision and how to appeal").click()
    expect(
        page.get_by_role("heading", name="The decision on your comment")
    ).to_be_visible()
    expect(page.locator("dl.decision")).to_contain_text("by a moderator")
    page.get_by_label("Why should the decision change?").fill(NOTE)
    page.get_by_role("button", name="Appeal the decision").click()
    expect(page.locator(".messages")).to_contain_text("Your appeal is sent")
    appeal = Appeal.objects.get(comment=reply)
    assert (appeal.note, appeal.status, appeal.decided_by) == (NOTE, "open", first)

    # The moderator who rejected it may not decide the appeal, here or by the API.
    judge = open_as(first)
    reverse_in_admin(judge, reply)
    expect(judge.locator(".messagelist")).to_contain_text(
        "You made the decision appealed; another moderator must review it."
    )
    expect(judge.locator(".messagelist")).to_contain_text("0 appeal(s)")
    api = Client()
    api.force_login(first)
    answer = api.post(
        f"/api/v1/moderation/appeals/{appeal.pk}/decision/",
        {"outcome": "reverse"},
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert Comment.objects.get(pk=reply.pk).status == "rejected"

    # Another moderator reverses it in the admin.
    mail.outbox.clear()
    other = open_as(second)
    reverse_in_admin(other, reply)
    expect(other.locator(".messagelist")).to_contain_text(
        "Reversed: the comment is published: 1 appeal(s)."
    )

    # The comment is public again, and counted.
    reader = open_as()
    reader.goto(article.get_absolute_url())
    expect(reader.locator(f"#comment-{reply.pk}")).to_contain_text("Bunch of clowns")
    expect(reader.locator(f"#comment-{reply.pk}")).not_to_contain_text("Not published")
    expect(reader.locator("#discussion-title")).to_have_text("Discussion (2)")
    article.refresh_from_db()
    host.refresh_from_db()
    assert (article.comment_count, host.reply_count) == (2, 1)

    # The author reads the outcome on the decision's page and in an e-mail.
    page.goto(f"/comments/{reply.pk}/appeal/")
    expect(page.locator("dl.decision")).to_contain_text(
        "Reversed: your comment is published."
    )
    assert [m.to for m in mail.outbox] == [["quoter@example.org"]]
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.moderator) == (
        "decided",
        "reverse",
        second,
    )
    assert AuditEntry.objects.filter(
        comment=reply, actor=second, action="approve"
    ).exists()
    for p in (page, judge, other, reader):
        assert p.console_errors == []
