"""An import has the cycle collector skip what existed before it, and leaves
the collector as it found it."""

import gc

import pytest

from exchange import runner
from tests.factories import ArticleFactory

from .builders import C, Post, wxr

pytestmark = pytest.mark.django_db


def _during(monkeypatch) -> list[int]:
    seen: list[int] = []
    write = runner._write_batch

    def watched(*args, **kwargs):
        seen.append(gc.get_freeze_count())
        return write(*args, **kwargs)

    monkeypatch.setattr(runner, "_write_batch", watched)
    return seen


def test_an_import_freezes_what_exists_and_thaws_it_after(run, superuser, monkeypatch):
    ArticleFactory(slug="story")
    seen = _during(monkeypatch)
    run("import_wordpress", wxr(Post(1, "story", comments=[C(11)])))

    assert seen
    assert all(count > 0 for count in seen)
    assert gc.get_freeze_count() == 0


def test_what_the_caller_froze_stays_frozen(run, superuser, monkeypatch):
    ArticleFactory(slug="story")
    gc.freeze()
    try:
        run("import_wordpress", wxr(Post(1, "story", comments=[C(11)])))
        # Still frozen (a few fewer: frozen objects still die when let go).
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
