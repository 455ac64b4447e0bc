"""A moderator works the queue in the admin, in a real browser."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from comments.models import Comment
from moderation.models import AuditEntry
from tests.comments.helpers import add_comment
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_moderator_approves_and_rejects_from_the_queue(page):
    UserFactory(
        username="mod", is_staff=True, groups=[Group.objects.get(name="Moderators")]
    )
    article = ArticleFactory(title="Chip controls")
    author = UserFactory(username="writer")
    fine = add_comment(article, author, status="held", body="A fair point, held")
    nasty = add_comment(article, author, status="held", body="A nasty one, held")

    page.goto("/admin/login/?next=/admin/moderation/queueitem/")
    page.get_by_label("Username").fill("mod")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Select comment to moderate to change")
    ).to_be_visible()

    def act(comment, action_label):
        row = page.locator("tr", has_text=comment.body)
        row.get_by_role("checkbox").check()
        page.locator("select[name=action]").select_option(label=action_label)
        page.get_by_role("button", name="Go").click()

    act(fine, "Approve selected comments")
    expect(page.locator(".messagelist")).to_contain_text("Approve: 1 comment(s).")
    expect(page.locator("#result_list")).not_to_contain_text("A fair point")
    act(nasty, "Reject selected comments")
    expect(page.locator(".messagelist")).to_contain_text("Reject: 1 comment(s).")

    assert Comment.objects.get(pk=fine.pk).status == "approved"
    assert Comment.objects.get(pk=nasty.pk).status == "rejected"
    assert AuditEntry.objects.filter(actor_name="mod").count() == 2
    page.goto(article.get_absolute_url())
    expect(page.locator(".comment")).to_have_count(1)
    expect(page.locator(".comment")).to_contain_text("A fair point")
    assert page.console_errors == []
