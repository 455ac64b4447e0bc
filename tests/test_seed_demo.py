"""`seed_demo`: a demo site in one command, the same after a second run."""

import re

import pytest
from django.core.management import call_command

from accounts.models import User
from articles.models import Article
from comments.models import Comment


@pytest.mark.django_db
def test_seed_demo_loads_open_articles_discussions_and_working_accounts_once(
    client, capsys
):
    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out

    live = Article.objects.published()
    assert live.count() == 3
    assert all(a.accepts_comments for a in live)
    assert "already there" in second
    assert "password" not in second.split("Demo articles")[-1]
    assert User.objects.filter(is_staff=True).count() == 2
    assert "Demo moderation queue: already there." in second
    assert Comment.objects.filter(status="approved").count() == 15
    for a in live:
        approved = Comment.objects.filter(article=a, status="approved").count()
        assert a.comment_count == approved > 0
    held = Comment.objects.filter(status="held")
    assert held.count() == 3  # work waiting in the moderators' queue
    assert all(c.verdicts.get().reasons for c in held)
    for role in ("editor", "moderator"):
        match = re.search(rf"Demo {role}: username '(\S+)', password '(\S+)'", first)
        assert match, first
        assert client.login(username=match.group(1), password=match.group(2))
    editor_account = User.objects.get(username="demo-editor")
    assert editor_account.is_editor
    assert User.objects.get(username="demo-moderator").is_moderator
    assert client.get(live.first().get_absolute_url()).status_code == 200
