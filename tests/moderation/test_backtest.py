"""Backtest: a proposed configuration replayed over stored comments, per rule
and per topic, from the command line and in the admin; nothing is written."""

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from comments.models import Comment
from moderation.models import AuditEntry, Verdict
from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db

MILD = "This policy is damn silly, and the minister knows it."
LINKS = "Sources: https://a.example/1 https://b.example/2 https://c.example/3"
URL = reverse("admin:moderation_backtest")


@pytest.fixture
def topical(db):
    return ArticleFactory(slug="chip-wars", topics=[TopicFactory(name="Elections")])


def backtest(*args: str) -> str:
    out = io.StringIO()
    call_command("moderation_backtest", *args, stdout=out)
    return out.getvalue()


def test_a_lower_threshold_would_hold_what_was_approved_and_nothing_is_written(
    post, topical, regular
):
    mild = post(article=topical, author=regular, body=MILD)
    assert mild.status == "approved"
    counts = (Verdict.objects.count(), AuditEntry.objects.count())

    out = backtest("--toxicity-threshold", "0.05")

    assert "1 decisions would change: approve→hold 1" in out
    assert f"  toxicity       approve→hold 1\n      #{mild.pk} (toxicity 0." in out
    assert "  Elections                      approve→hold 1" in out
    mild.refresh_from_db()
    assert mild.status == "approved"
    assert (Verdict.objects.count(), AuditEntry.objects.count()) == counts


def test_a_higher_link_limit_would_publish_what_links_held(post, article, regular):
    held = post(article=article, author=regular, body=LINKS)
    assert held.status == "held"

    out = backtest("--link-limit", "5")

    assert "hold→approve 1" in out
    assert (
        f"  links          hold→approve 1\n      #{held.pk} (3 links, limit 5)" in out
    )
    assert "(no topic)" in out


def test_the_same_configuration_changes_nothing(post, article, regular):
    post(article=article, author=regular, body=MILD)
    post(article=article, author=regular, body=LINKS)

    assert "Replayed 2 comments;" in backtest("--since", "")
    assert "0 decisions would change." in backtest()


def test_since_and_article_narrow_what_is_replayed(post, article, topical, regular):
    old = post(article=article, author=regular, body=MILD)
    Comment.objects.filter(pk=old.pk).update(
        created_at=old.created_at - timedelta(days=9)
    )
    post(article=topical, author=regular, body=MILD + " Again.")

    assert "Replayed 1 comments on chip-wars" in backtest("--article", "chip-wars")
    assert "Replayed 1 comments of the last 7d" in backtest("--since", "7d")
    assert "Replayed 2 comments of the last 2w" in backtest("--since", "2w")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "3x"], "--since: Write --since as 12h, 30d or 4w, not '3x'."),
        (["--toxicity-threshold", "2"], "--toxicity-threshold: Ensure this value"),
        (["--toxicity-threshold", "high"], "--toxicity-threshold: Enter a number."),
        (["--link-limit", "-1"], "--link-limit: Ensure this value"),
        (["--article", "nope"], "--article: No article has the slug 'nope'."),
    ],
)
def test_bad_arguments_are_refused_in_one_line(args, message):
    with pytest.raises(CommandError) as refused:
        backtest(*args)

    assert str(refused.value).startswith(message)
    assert "\n" not in str(refused.value)


def test_a_bad_argument_exits_non_zero_with_one_line():
    done = subprocess.run(
        [sys.executable, "manage.py", "moderation_backtest", "--since", "forever"],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        timeout=120,
        check=False,
    )

    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "CommandError: --since: Write --since as 12h, 30d or 4w, not 'forever'."
    ]


def test_an_editor_backtests_in_the_admin(client, editor, post, topical, regular):
    post(article=topical, author=regular, body=MILD)
    client.force_login(editor)

    page = client.get(URL, {"toxicity_threshold": "0.05", "since": "30d"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "1 of 1 decisions would change" in html
    assert "approve→hold: 1" in html
    assert "Elections" in html


def test_the_admin_form_names_a_bad_limit(client, editor):
    client.force_login(editor)

    page = client.get(URL, {"toxicity_threshold": "7", "since": "30d"})

    assert page.status_code == 200
    assert "Ensure this value is less than or equal to 1" in page.content.decode()
    assert page.context["result"] is None


def test_staff_without_moderation_rights_may_not_backtest(client, django_user_model):
    staff = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(staff)

    assert client.get(URL).status_code == 403
