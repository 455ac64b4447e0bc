"""Akismet's verdicts in a WordPress export teach the spam model as a
moderator's approve or spam mark would."""

import pytest
from django.core.management.base import CommandError

from moderation.classifiers.spam import DOCS
from moderation.models import SpamToken

from .builders import C, Post, wxr

pytestmark = pytest.mark.django_db


def _meta(pairs: dict[int, dict[str, str]], text: str) -> str:
    """Give comments commentmeta, as WordPress writes it."""
    for ident, meta in pairs.items():
        rows = "".join(
            f"<wp:commentmeta><wp:meta_key>{k}</wp:meta_key>"
            f"<wp:meta_value><![CDATA[{v}]]></wp:meta_value></wp:commentmeta>"
            for k, v in meta.items()
        )
        anchor = f"<wp:comment_id>{ident}</wp:comment_id>"
        text = text.replace(anchor, anchor + rows)
    return text


def _counts(token: str) -> tuple[int, int]:
    row = SpamToken.objects.filter(token=token).first()
    return (row.spam, row.ham) if row else (0, 0)


def _file(slug: str, **extra) -> str:
    comments = [
        C(1, body="Cheap pills at casinoville today", approved="spam"),
        C(2, body="The council budget figures look right"),
        C(3, body="Unchecked words stay unlearnt"),
        C(4, body="Rescued from the spam folder", approved="1"),
        C(5, body="Reported as spam by the editor", approved="0"),
    ]
    meta = {
        1: {"akismet_result": "true"},
        2: {"akismet_result": "false"},
        4: {"akismet_result": "true"},
        5: {"akismet_result": "false", "akismet_user_result": "true"},
    }
    return _meta(meta, wxr(Post(1, slug, comments=comments, **extra)))


def test_akismet_verdicts_teach_the_spam_model(run, article):
    run("import_wordpress", _file(article.slug))
    assert _counts("casinoville") == (1, 0)
    assert _counts("council") == (0, 1)
    assert _counts("unlearnt") == (0, 0)  # Akismet said nothing of it
    # A person approved what Akismet called spam: the person's decision counts.
    assert _counts("rescued") == (0, 1)
    # A person reported it to Akismet as spam: that report counts.
    assert _counts("editor") == (1, 0)
    assert _counts(DOCS) == (2, 2)


def test_a_second_run_teaches_nothing_more(run, article):
    run("import_wordpress", _file(article.slug))
    run("import_wordpress", _file(article.slug))
    assert _counts(DOCS) == (2, 2)


def test_a_dry_run_or_a_failed_thread_teaches_nothing(run, article):
    run("import_wordpress", _file(article.slug), "--dry-run")
    broken = _file(article.slug).replace("Unchecked words stay unlearnt", "  ")
    with pytest.raises(CommandError):
        run("import_wordpress", broken)
    assert not SpamToken.objects.exists()
