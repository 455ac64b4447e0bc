"""A reader argues under a story in a real browser, with and without JavaScript."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from comments.models import Comment
from tests.comments.helpers import add_comment
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def comment_box(page, pk: int):
    return page.locator(f"#comment-{pk}")


@override_settings(COMMENTS_PER_PAGE=3)
def test_comment_reply_vote_edit_delete_sort_and_load_more(page):
    article = ArticleFactory(slug="chips", title="Chips")
    UserFactory(username="rosa")
    other = UserFactory(username="sam")
    older = [add_comment(article, other, body=f"Earlier point {n}") for n in range(3)]
    add_comment(article, other, body="Earlier point 3", score=5)
    sign_in(page, "rosa")
    page.goto("/articles/chips/")

    # Comment at the top level; htmx adds it without leaving the page.
    page.get_by_label("Your comment").fill("Export controls *leak*.")
    page.get_by_role("button", name="Post comment").click()
    mine = page.locator(".comment.mine").first
    expect(mine).to_contain_text("Export controls leak.")
    expect(page.get_by_label("Your comment")).to_have_value("")

    # Reply to a reply, inline.
    first_reply = add_comment(article, other, parent=older[0], body="A reply to answer")
    page.reload()
    comment_box(page, first_reply.pk).get_by_role("link", name="Reply").click()
    reply_form = page.locator(f"#reply-form-{first_reply.pk}")
    reply_form.get_by_label("Your comment").fill("Answering the reply")
    reply_form.get_by_role("button", name="Post reply").click()
    expect(page.locator(".comment.depth-2")).to_contain_text("Answering the reply")
    reply = Comment.objects.get(body="Answering the reply")
    assert reply.parent_id == first_reply.pk
    assert reply.depth == 2

    # Vote on someone else's comment and take it back.
    votes = comment_box(page, older[1].pk).locator(".votes")
    votes.get_by_role("button", name="Vote up").click()
    expect(votes.locator(".score")).to_have_text("1")
    expect(votes.get_by_role("button", name="Vote up")).to_have_attribute(
        "aria-pressed", "true"
    )
    votes.get_by_role("button", name="Vote up").click()
    expect(votes.locator(".score")).to_have_text("0")

    # Edit within the window, inline.
    box = comment_box(page, reply.pk)
    box.get_by_role("link", name="Edit").click()
    box.get_by_label("Edit your comment").fill("Answering the reply, **fixed**")
    box.get_by_role("button", name="Save edit").click()
    expect(comment_box(page, reply.pk)).to_contain_text("Answering the reply, fixed")
    expect(comment_box(page, reply.pk).locator(".edited")).to_be_visible()

    # Delete, confirming the browser's dialog.
    page.once("dialog", lambda dialog: dialog.accept())
    comment_box(page, reply.pk).get_by_role("link", name="Delete").click()
    expect(comment_box(page, reply.pk)).to_contain_text("deleted by its author")

    # Sort by top, then load more.
    page.get_by_role("link", name="Top").click()
    expect(page.locator(".thread").first).to_contain_text("Earlier point 3")
    expect(page.locator(".thread")).to_have_count(3)
    page.get_by_role("link", name="Load more comments").click()
    expect(page.locator(".thread")).to_have_count(5)
    assert page.console_errors == []


def test_replying_works_with_javascript_off(browser, live_server):
    article = ArticleFactory(slug="nojs", title="No script")
    UserFactory(username="rosa")
    parent = add_comment(article, UserFactory(username="sam"), body="Say something")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "rosa")
        page.goto("/articles/nojs/")
        comment_box(page, parent.pk).get_by_role("link", name="Reply").click()
        expect(page).to_have_url(re.compile(rf"/comments/{parent.pk}/reply/$"))
        page.get_by_label("Your comment").fill("Plain HTML reply")
        page.get_by_role("button", name="Post reply").click()

        expect(page).to_have_url(
            re.compile(r"/articles/nojs/\?thread=\d+#comment-\d+$")
        )
        reply = Comment.objects.get(body="Plain HTML reply")
        expect(comment_box(page, reply.pk)).to_contain_text("Plain HTML reply")
        assert reply.parent_id == parent.pk
    finally:
        context.close()
