"""The file is read in a second process: what goes wrong there stops the
import here, with the reason, and no process is left behind."""

import multiprocessing
import os

import pytest

from comments.models import Comment
from exchange import readahead
from exchange.wordpress import WordPressReader

from .builders import C, Post, wxr

pytestmark = pytest.mark.django_db


def _posts(slug: str, count: int) -> str:
    return wxr(*(Post(n, slug, comments=[C(n)]) for n in range(1, count + 1)))


def test_an_error_while_reading_stops_the_import_with_its_reason(
    run, article, monkeypatch
):
    read = WordPressReader._discussion

    def second_fails(self, item):
        if item.sourceline > 30:
            raise LookupError("the reader tripped")
        return read(self, item)

    monkeypatch.setattr(WordPressReader, "_discussion", second_fails)
    with pytest.raises(LookupError, match="the reader tripped"):
        run("import_wordpress", _posts(article.slug, 3))
    assert multiprocessing.active_children() == []


def test_a_reading_process_that_dies_is_reported_not_waited_for(
    run, article, monkeypatch
):
    monkeypatch.setattr(readahead, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(WordPressReader, "_discussion", lambda *_: os._exit(3))
    with pytest.raises(readahead.ReadingStopped, match="exit code 3"):
        run("import_wordpress", _posts(article.slug, 1))
    assert multiprocessing.active_children() == []
    assert not Comment.objects.exists()


def test_chunks_of_many_threads_arrive_whole_and_in_order(run, article, monkeypatch):
    monkeypatch.setattr(readahead, "CHUNK_DISCUSSIONS", 2)
    out, _ = run("import_wordpress", _posts(article.slug, 7))
    assert out.strip().splitlines()[-1].startswith("imported 7,")
    bodies = Comment.objects.order_by("pk").values_list("imported_from__source_id")
    assert [int(b) for (b,) in bodies] == list(range(1, 8))
