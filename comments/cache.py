"""The rendered discussion that anonymous readers share, cached per article.

Every change a reader could see (a comment approved, hidden, edited, deleted or
voted on) moves the article's discussion version after commit, so the next
anonymous reader renders afresh. A cache that is down only means no caching.
"""

import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.db import transaction

from articles.models import Article
from core import db

logger = logging.getLogger(__name__)

TIMEOUT = 600  # seconds: a safety net; versions do the real invalidation


def _version_key(article_id: int) -> str:
    return f"discussion:version:{article_id}"


def discussion_version(article_id: int) -> int | None:
    """The article's discussion version now, or None when the cache is down."""
    try:
        version = cache.get(_version_key(article_id))
        if version is None:
            version = time.time_ns()
            cache.add(_version_key(article_id), version, timeout=None)
    except Exception:
        logger.warning("discussion cache unreachable; rendering uncached")
        return None
    # A version this fresh may not have reached the replicas yet: build it from
    # the primary, so no older copy is kept under the newer version.
    db.pin_if_recent(version)
    return version


def key_at(article_id: int, version: int | None, *parts: object) -> str | None:
    """The cache key for one rendering at `version`, or None (no caching)."""
    if version is None or None in parts:
        return None
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f"discussion:{article_id}:{version}:{digest}"


def cached_html(key: str | None):
    """What `store_html` kept under `key` (a page's HTML, an API page), or None."""
    if key is None:
        return None
    try:
        return cache.get(key)
    except Exception:
        logger.warning("discussion cache unreachable; rendering uncached")
        return None


def cached_or_built(key: str | None, build):
    """What is kept under `key`, or `build()` kept there now."""
    value = cached_html(key)
    if value is None:
        value = build()
        store_html(key, value)
    return value


# What `kept_or_built` holds in this process: values that never change once
# built for their key (the key names a discussion version), so a copy here is
# as good as the shared one, without its round trip and unpickling.
_KEPT: OrderedDict[str, object] = OrderedDict()
_KEPT_MOST = 64
_kept_lock = threading.Lock()


def kept_or_built(key: str | None, build):
    """As `cached_or_built`, with this process's last few values in front of
    the shared cache. Only for values nobody changes after they are built:
    every caller gets the same object."""
    if key is None:
        return build()
    with _kept_lock:
        value = _KEPT.get(key)
        if value is not None:
            _KEPT.move_to_end(key)
            return value
    value = cached_or_built(key, build)
    with _kept_lock:
        _KEPT[key] = value
        while len(_KEPT) > _KEPT_MOST:
            _KEPT.popitem(last=False)
    return value


def store_html(key: str | None, html) -> None:
    if key is None:
        return
    try:
        cache.set(key, html, timeout=TIMEOUT)
    except Exception:
        logger.warning("discussion cache unreachable; not storing")


def discussion_changed(article_id: int) -> None:
    """Retire the cached renderings of an article's discussion once this commits."""

    def bump() -> None:
        try:
            cache.set(_version_key(article_id), time.time_ns(), timeout=None)
        except Exception:
            logger.warning("discussion cache unreachable; version not moved")

    transaction.on_commit(bump)


# The article around a discussion (its row, author and topics) kept per slug,
# so that a page costs no query for it. An entry counts while two stamps it
# was stored under still hold: the articles' generation, moved by any change to
# an article, a topic or an author (comments.receivers), and the discussion
# version, which every change to the article's counters or surge banner moves.
FRAME_SECONDS = 60  # a safety net, as TIMEOUT is
_ARTICLES_KEY = "articles:generation"


def _frame_key(slug: str) -> str:
    return f"article:frame:{slug}"


class _SeenIds:
    """Slug to article id, as this process last saw them: a hint, bounded."""

    MOST = 10_000

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def get(self, slug: str) -> int | None:
        return self._ids.get(slug)

    def put(self, slug: str, article_id: int) -> None:
        if len(self._ids) >= self.MOST:
            self._ids.clear()  # a hint only: forgetting costs a round trip
        self._ids[slug] = article_id


_seen_ids = _SeenIds()


def _version_in(found: dict, article_id: int) -> int | None:
    """The article's discussion version among values `get_many` answered."""
    version = found.get(_version_key(article_id))
    if version is not None:
        db.pin_if_recent(version)  # as `discussion_version` does
    return version


def _load_frame(slug: str):
    return (
        Article.objects.select_related("author")
        .prefetch_related("topics")
        .filter(slug=slug)
        .first()
    )


def article_frame(slug: str, *, counters: bool = True):
    """The article at `slug` whatever its status (None: there is none), with
    its author and topics, and its discussion version: from the cache while
    neither stamp has moved. Who may see it is the caller's to decide.

    Both stamps are read before the article is, so a change that commits
    meanwhile leaves the entry stored already useless. A slug seen for the
    first time has no article id to read a version by: its entry is stored
    unstamped, and the next read stores it properly.

    Without `counters` (a caller that reads only what an edit of the article
    changes: its status, dates and policy, as posting does) the entry counts
    while the articles' generation holds, however far its discussion moved
    since; the version answered is then None.
    """
    key = _frame_key(slug)
    # The article id this process last saw at `slug`: its version is asked in
    # the same round trip as the entry (and used only if the entry agrees).
    seen_id = _seen_ids.get(slug)
    keys = [key, _ARTICLES_KEY]
    if seen_id is not None:
        keys.append(_version_key(seen_id))
    try:
        found = cache.get_many(keys)
        generation = found.get(_ARTICLES_KEY)
        if generation is None:
            cache.add(_ARTICLES_KEY, time.time_ns(), timeout=None)
            generation = cache.get(_ARTICLES_KEY)
    except Exception:
        logger.warning("discussion cache unreachable; reading the article")
        article = _load_frame(slug)
        return article, None if article is None else discussion_version(article.pk)
    entry = found.get(key)
    if not counters and entry is not None and entry["generation"] == generation:
        return entry["article"], None
    known = entry["article"].pk if entry is not None else None
    version = None
    if known is not None:
        version = _version_in(found, known) if known == seen_id else None
        if version is None:
            version = discussion_version(known)
            _seen_ids.put(slug, known)
    if (
        entry is not None
        and entry["generation"] == generation
        and version is not None
        and version == entry["version"]
    ):
        return entry["article"], version
    article = _load_frame(slug)
    if article is None:
        return None, None
    if article.pk == known:
        stamped = version
    else:
        version, stamped = discussion_version(article.pk), None
        _seen_ids.put(slug, article.pk)
    if version is not None:
        entry = {"article": article, "generation": generation, "version": stamped}
        try:
            cache.set(key, entry, timeout=FRAME_SECONDS)
        except Exception:
            logger.warning("discussion cache unreachable; not storing")
    return article, version


def articles_changed() -> None:
    """Retire every cached article frame, now and once this commits."""

    def move() -> None:
        try:
            cache.set(_ARTICLES_KEY, time.time_ns(), timeout=None)
        except Exception:
            logger.warning("discussion cache unreachable; articles not retired")

    move()
    transaction.on_commit(move)
