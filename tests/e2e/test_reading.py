"""A reader finds a story from the home page, reads it, and finds the feed."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import ArticleFactory, TopicFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_to_article_to_feed(page, tmp_path):
    topic = TopicFactory(name="Semiconductors", slug="semiconductors")
    ArticleFactory(
        title="Five chokepoints in the chip supply chain",
        slug="chokepoints",
        standfirst="A processor crosses a dozen borders.",
        body="## Lithography\n\nFew companies make the machines.",
        topics=[topic],
    )
    ArticleFactory(title="Hidden draft", slug="hidden", draft=True)

    page.goto("/")
    expect(page.get_by_role("link", name="Hidden draft")).to_have_count(0)
    page.get_by_role("link", name="Five chokepoints in the chip supply chain").click()

    expect(page).to_have_url(re.compile(r"/articles/chokepoints/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Five chokepoints in the chip supply chain"
    )
    expect(page.get_by_role("heading", name="Lithography")).to_be_visible()
    expect(page.locator("#discussion")).to_be_visible()
    page.screenshot(path=tmp_path / "article.png", full_page=True)

    feed_href = page.get_by_role("link", name="RSS feed").get_attribute("href")
    feed = page.request.get(feed_href)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert "/articles/chokepoints/" in feed.text()
    assert "Hidden draft" not in feed.text()

    # The strict Content-Security-Policy blocked nothing the page needs.
    assert page.console_errors == []


def test_sign_up_shows_an_error_next_to_the_field_and_then_succeeds(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("zero\u200bwidth")
    page.get_by_label("E-mail address").fill("reader@example.org")
    page.get_by_label("Password", exact=True).fill("a long and unusual passphrase 42")
    page.get_by_label("Password again").fill("a long and unusual passphrase 42")
    page.get_by_role("button", name="Create account").click()

    expect(page.locator("#id_username_errors")).to_contain_text("ZERO WIDTH SPACE")

    page.get_by_label("Username").fill("reader")
    page.get_by_label("Password", exact=True).fill("a long and unusual passphrase 42")
    page.get_by_label("Password again").fill("a long and unusual passphrase 42")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    (message,) = mail.outbox
    path = re.search(r"https?://[^/]+(/accounts/signup/\S+/)", message.body)[1]
    page.goto(path)
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("status")).to_contain_text("Welcome, reader.")
    page.keyboard.press("Tab")  # the skip link takes focus first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
