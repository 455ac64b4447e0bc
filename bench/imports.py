"""Imports: comments per second on a generated WordPress export, and the
importer's peak memory (tracemalloc) at two sizes side by side.

`make bench` imports 50,000 comments untraced for the speed and traces 5,000
and 50,000 for the memory; BENCH_IMPORT_SIZES=500,5000 runs a quicker pair.
"""

import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

POSTS_PER_1000 = 10  # a post of a hundred comments, on average
SEED = 11
WORDS = (
    "the", "council", "budget", "vote", "said", "would", "never", "really", "think",
    "point", "evidence", "figures", "housing", "transport", "schools", "people",
    "plan", "cost", "because", "however", "agree", "disagree", "source", "report",
)  # fmt: skip


def run() -> None:
    from django.contrib.auth import get_user_model

    small, large = (
        int(n) for n in os.environ.get("BENCH_IMPORT_SIZES", "5000,50000").split(",")
    )
    editor = get_user_model().objects.create(username="bench-importer")
    print("\nImporting a WordPress export (import_wordpress)")  # noqa: T201
    with tempfile.TemporaryDirectory() as folder:
        files = {
            tag: _export(Path(folder), size, tag, editor)
            for tag, size in [("warm", 200), ("speed", large), ("small", small),
                              ("large", large)]
        }  # fmt: skip
        _import(files["warm"], editor)  # first-use imports and caches, not counted
        speed = _import(files["speed"], editor)
        peaks = [_import(files[tag], editor, trace=True) for tag in ("small", "large")]
    rate = speed["comments"] / speed["seconds"]
    print(  # noqa: T201
        f"  {f'{large:,} comments, untraced':<44} {speed['seconds']:7.1f} s  "
        f"{rate:7,.0f} comments/s"
    )
    print(  # noqa: T201
        f"  {'peak memory, either process (tracemalloc)':<44} "
        f"{small:,}: {peaks[0]['peak'] / 2**20:.1f} MiB   "
        f"{large:,}: {peaks[1]['peak'] / 2**20:.1f} MiB"
    )


def _export(folder: Path, size: int, tag: str, editor) -> Path:
    """A WXR file of `size` comments under posts of about a hundred each,
    with replies down to depth 8, a few held and spam, bodies in HTML."""
    from articles.models import Article

    rng = random.Random(SEED)  # noqa: S311 - benchmark data, not a secret
    posts = max(1, size * POSTS_PER_1000 // 1000)
    path = folder / f"{tag}.xml"
    Article.objects.bulk_create(
        Article(title=f"Post {tag} {n}", slug=f"bench-{tag}-{n}", standfirst="S.",
                body="B.", body_html="<p>B.</p>", author=editor)
        for n in range(posts)
    )  # fmt: skip
    with path.open("w", encoding="utf-8") as out:
        out.write(_HEAD.format(site=f"https://{tag}.example"))
        ident = 0
        for n in range(posts):
            count = size // posts + (n < size % posts)
            out.write(_ITEM.format(n=n, slug=f"bench-{tag}-{n}"))
            depths: list[tuple[int, int]] = []
            for _ in range(count):
                ident += 1
                parent, depth = 0, 0
                if depths and rng.random() < 0.7:
                    parent, above = rng.choice(depths[-40:])
                    depth = above + 1
                if depth < 8:
                    depths.append((ident, depth))
                out.write(_comment(rng, ident, parent))
            out.write("</item>\n")
        out.write("</channel></rss>\n")
    return path


def _comment(rng: random.Random, ident: int, parent: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(20, 70))
    words[rng.randrange(len(words))] = f"<em>{rng.choice(WORDS)}</em>"
    if rng.random() < 0.2:
        words.append('<a href="https://example.org/report">the report</a>')
    text = " ".join(words)
    body = f"<p>{text}.</p><p>{' '.join(rng.choices(WORDS, k=12))}.</p>"
    status = rng.choices(["1", "0", "spam"], weights=[90, 7, 3])[0]
    second = ident % 60
    return (
        f"<wp:comment><wp:comment_id>{ident}</wp:comment_id>"
        f"<wp:comment_author>Reader {ident % 997}</wp:comment_author>"
        f"<wp:comment_author_email>reader{ident % 997}@example.org"
        "</wp:comment_author_email>"
        f"<wp:comment_date>2021-01-01 10:00:{second:02d}</wp:comment_date>"
        f"<wp:comment_date_gmt>2021-01-01 09:00:{second:02d}</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{body}]]></wp:comment_content>"
        f"<wp:comment_approved>{status}</wp:comment_approved>"
        "<wp:comment_type></wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent>"
        "<wp:comment_user_id>0</wp:comment_user_id>"
        # Akismet's verdict, as most WordPress exports carry one: it teaches
        # the spam model during the import.
        "<wp:commentmeta><wp:meta_key>akismet_result</wp:meta_key>"
        f"<wp:meta_value>{'true' if status == 'spam' else 'false'}</wp:meta_value>"
        "</wp:commentmeta></wp:comment>\n"
    )


def _import(path: Path, editor, *, trace: bool = False) -> dict:
    from exchange.runner import run_import
    from exchange.wordpress import WordPressReader

    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        tally = run_import(WordPressReader(path), editor=editor)
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
    finally:
        if trace:
            tracemalloc.stop()
    if tally.failures:
        raise SystemExit(f"bench: import failed: {tally.failures[0]}")
    return {
        "comments": tally.imported,
        "seconds": time.perf_counter() - start,
        # The file is read in a second process: the larger of the two peaks.
        "peak": max(peak, tally.reading_peak),
    }


_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Bench</title>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>{site}</wp:base_blog_url>
"""
_ITEM = """<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id>
<wp:post_name>{slug}</wp:post_name><wp:post_type>post</wp:post_type>
"""


if __name__ == "__main__":
    from bench.harness import scratch_database, setup_django

    setup_django()
    with scratch_database():
        run()
