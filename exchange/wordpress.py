"""WordPress's export (WXR 1.0 to 1.2): one discussion per post, read as it streams.

A post's comments sit inside its <item>, so each item is read whole, handed on
and freed before the next. Dates are taken from comment_date_gmt; where
WordPress wrote 0000-00-00 there, from comment_date less the site's offset
(given, or learned from the posts and comments of the file that carry both).
"""

import html
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils.text import slugify

from comments.models import Comment

from .html import UnreadableHTML, html_to_markdown
from .records import Discussion, Entry, Ping
from .xmlstream import stream

# Our own export adds these, in a namespace WordPress ignores, so that a round
# trip through WXR keeps the Markdown and the deleted nodes exactly.
AGORA_NS = "urn:agora:export:1"
STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.HELD,
    "hold": Comment.Status.HELD,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REJECTED,
    "post-trashed": Comment.Status.REJECTED,
}
PINGS = {"pingback", "trackback"}
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_KEYS: dict[str, str] = {}


def _key(tag: str) -> str:
    """'wp:comment', 'content:encoded', 'title': the tag with a short prefix."""
    if (known := _KEYS.get(tag)) is not None:
        return known
    namespace, _, local = tag[1:].rpartition("}") if tag[0] == "{" else ("", "", tag)
    if namespace == AGORA_NS:
        prefix = "agora:"
    elif "wordpress.org/export" in namespace:
        prefix = "excerpt:" if "excerpt" in namespace else "wp:"
    elif "purl.org/rss/1.0/modules/content" in namespace:
        prefix = "content:"
    elif "purl.org/dc" in namespace:
        prefix = "dc:"
    else:
        prefix = f"{{{namespace}}}" if namespace else ""
    _KEYS[tag] = key = prefix + local
    return key


def _fields(element) -> dict[str, str]:
    found: dict[str, str] = {}
    for child in element:
        if isinstance(child.tag, str):
            found.setdefault(_key(child.tag), (child.text or "").strip())
    return found


def _comment_fields(comment) -> dict[str, str]:
    """A comment's fields, with its commentmeta as "meta:<key>" entries."""
    found: dict[str, str] = {}
    for child in comment:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        key = _KEYS.get(tag) or _key(tag)
        found.setdefault(key, (child.text or "").strip())
        if key == "wp:commentmeta":
            meta = _fields(child)
            found.setdefault(f"meta:{meta.get('wp:meta_key', '')}",
                             meta.get("wp:meta_value", ""))  # fmt: skip
    return found


def spam_verdict(fields: dict[str, str], status: str) -> bool | None:
    """What a comment's Akismet meta says, as a moderator's decision would:
    a person's report to Akismet first; else, where Akismet checked the
    comment, the status it was left in (approved or spam, by a person when it
    differs from Akismet's call); else Akismet's own call on a held or trashed
    one. None when Akismet left nothing."""
    said = {"true": True, "false": False}
    if (person := said.get(fields.get("meta:akismet_user_result", ""))) is not None:
        return person
    machine = said.get(fields.get("meta:akismet_result", ""))
    if machine is None:
        return None
    if status in {Comment.Status.APPROVED, Comment.Status.SPAM}:
        return status == Comment.Status.SPAM
    return machine


def _date(text: str) -> datetime | None:
    """A WordPress date (YYYY-MM-DD HH:MM:SS), in UTC; None for 0000-00-00."""
    # fromisoformat reads this shape many times faster than strptime, and the
    # shape is checked first because it would read other ISO forms too.
    if len(text) != 19 or text[10] != " " or text.startswith("0000"):
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        return None


def _iso(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def slugs_from(*candidates: str) -> list[str]:
    """Slug candidates from names and links: the last part of a link's path."""
    out: list[str] = []
    for candidate in candidates:
        text = candidate.strip()
        if "/" in text or text.startswith("http"):
            parts = [p for p in urlsplit(text).path.split("/") if p]
            if parts and parts[-1].lower() in {"index.html", "index.htm", "index.php"}:
                parts.pop()
            text = parts[-1] if parts else ""
        slug = slugify(unquote(text))
        if slug and slug not in out:
            out.append(slug)
    return out


class WordPressReader:
    """Reads a WXR file; `source` names the site once the channel says it."""

    name = "WordPress"
    level = 3  # rss > channel > item
    # The channel's elements it reads; the parser passes over the rest.
    tags = ("item", "link", "{*}base_blog_url", "{*}base_site_url")
    pings = True

    def __init__(self, path: Path, *, utc_offset: timedelta | None = None) -> None:
        self.path, self.given_offset = path, utc_offset
        self.learned_offset = timedelta(0)
        self.site = {"blog": "", "base": "", "link": ""}

    @property
    def source(self) -> str:
        site = self.site["blog"] or self.site["base"] or self.site["link"]
        return f"wordpress:{site.rstrip('/')}"

    def discussions(
        self, on_read: Callable[[int], None] | None = None
    ) -> Iterator[Discussion]:
        for element in stream(self.path, self.level, on_read=on_read, tags=self.tags):
            key = _key(element.tag)
            if key == "item":
                found = self._discussion(element)
                if found.entries or found.pings or found.problem:
                    yield found
            elif key in {"wp:base_blog_url", "wp:base_site_url", "link"}:
                slot = {"wp:base_blog_url": "blog", "wp:base_site_url": "base"}
                self.site[slot.get(key, "link")] = (element.text or "").strip()

    def _discussion(self, item) -> Discussion:
        post = _fields(item)
        title = html.unescape(post.get("title", ""))
        found = Discussion(
            key=post.get("wp:post_id", ""),
            label=f"post {post.get('wp:post_id', '?')} “{title}” "
            f"(line {item.sourceline})",
            line=item.sourceline,
            slugs=slugs_from(post.get("wp:post_name", ""), post.get("link", "")),
            title=title,
            published_at=self._when(post, "wp:post_date"),
            closed=post.get("wp:comment_status") == "closed",
        )
        comments = [c for c in item if _key(c.tag) == "wp:comment"]
        if not comments:
            return found
        try:
            found.body = html_to_markdown(post.get("content:encoded", ""))
        except UnreadableHTML as problem:
            found.problem = f"the post's own text: {problem}"
            return found
        for comment in comments:
            try:
                self._add(found, _comment_fields(comment), comment.sourceline)
            except ValueError as problem:
                found.problem = str(problem)
                return found
        return found

    def _when(self, fields: dict[str, str], name: str) -> datetime | None:
        """A date from `name`_gmt, or from local `name` less the site's offset."""
        gmt, local = _date(fields.get(f"{name}_gmt", "")), _date(fields.get(name, ""))
        if gmt and local:
            minutes = round((local - gmt).total_seconds() / 900) * 15
            self.learned_offset = timedelta(minutes=minutes)
        if gmt:
            return gmt
        if local:
            return local - (self.given_offset or self.learned_offset)
        return None

    def _add(self, found: Discussion, c: dict[str, str], line: int | None) -> None:
        ident = c.get("wp:comment_id", "")
        created = self._when(c, "wp:comment_date")
        if not ident:
            raise ValueError(f"a comment at line {line} has no wp:comment_id")
        if created is None:
            raise ValueError(f"comment {ident} (line {line}) has no date")
        kind = c.get("wp:comment_type", "")
        body = None if kind in PINGS else c.get("agora:body")
        if body is None:
            try:
                body = html_to_markdown(c.get("wp:comment_content", ""))
            except UnreadableHTML as problem:
                raise ValueError(f"comment {ident} (line {line}): {problem}") from None
        if kind in PINGS:
            found.pings.append(
                Ping(ident, kind, html.unescape(c.get("wp:comment_author", "")),
                     c.get("wp:comment_author_url", ""), body, created)
            )  # fmt: skip
            return
        deleted = _iso(c["agora:deleted"]) if c.get("agora:deleted") else None
        parent = c.get("wp:comment_parent", "0")
        status = STATUSES.get(c.get("wp:comment_approved", ""), Comment.Status.HELD)
        found.entries.append(
            Entry(
                source_id=ident,
                parent_id=None if parent in {"", "0"} else parent,
                name=html.unescape(c.get("wp:comment_author", "")),
                email=c.get("wp:comment_author_email", ""),
                created_at=created,
                status=status,
                body=body,
                registered=c.get("wp:comment_user_id", "0") not in {"", "0"},
                deleted_at=deleted,
                spam_verdict=spam_verdict(c, status),
            )
        )
