"""The moderation policy page says what the configuration in force does."""

import pytest

from moderation.models import Term

pytestmark = pytest.mark.django_db


def test_the_policy_page_follows_the_configuration(client, settings):
    settings.MODERATION_TOXICITY_THRESHOLD = 0.65
    settings.MODERATION_LINK_LIMIT = 5
    settings.MODERATION_APPEAL_DAYS = 30
    settings.MODERATION_HOLD_NEW_ACCOUNTS = False
    Term.objects.create(phrase="one", kind=Term.Kind.BANNED)
    Term.objects.create(phrase="two", kind=Term.Kind.BANNED)

    html = client.get("/moderation-policy/").content.decode()

    assert "at least 65% likely to be abusive" in html
    assert "more than 5 links" in html
    assert "(we keep 2)" in html
    assert "for 30 days" in html
    assert "first comment of an account" not in html
    settings.MODERATION_HOLD_NEW_ACCOUNTS = True
    assert (
        "first comment of an account"
        in client.get("/moderation-policy/").content.decode()
    )


def test_every_comment_form_links_to_the_policy(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    assert 'href="/moderation-policy/"' in html
