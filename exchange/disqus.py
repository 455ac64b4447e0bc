"""Disqus's XML export: threads, then posts that name their thread and parent.

Disqus lists every thread first and every post after, in any order, and a reply
may come before the comment it answers. So the file is streamed once with the
posts kept in memory in compact form (the XML tree is still freed as it goes),
then each thread is handed on with its posts. A deleted post keeps its place in
its thread, without its text, so its replies stay where they were.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.utils import timezone

from comments.models import Comment

from .html import UnreadableHTML, html_to_markdown
from .records import Discussion, Entry
from .wordpress import slugs_from
from .xmlstream import local_name, stream

DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _fields(element) -> dict[str, object]:
    found: dict[str, object] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = local_name(child.tag)
        if name == "author":
            found["author"] = _fields(child)
        elif child.get(DSQ_ID) is not None:
            found.setdefault(name, child.get(DSQ_ID))
        else:
            found.setdefault(name, (child.text or "").strip())
    return found


def _when(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class DisqusReader:
    """Reads a Disqus export; `source` names the forum once a thread says it."""

    name = "Disqus"
    level = 2  # disqus > thread | post | category
    tags = ("{*}thread", "{*}post")  # what it reads; the parser passes over the rest
    pings = False

    def __init__(self, path: Path) -> None:
        self.path, self.forum = path, ""

    @property
    def source(self) -> str:
        return f"disqus:{self.forum}"

    def discussions(
        self, on_read: Callable[[int], None] | None = None
    ) -> Iterator[Discussion]:
        threads: dict[str, Discussion] = {}
        posts: dict[str, list[Entry]] = defaultdict(list)
        problems: dict[str, str] = {}
        first_line: dict[str, int | None] = {}
        for element in stream(self.path, self.level, on_read=on_read, tags=self.tags):
            kind, ident = local_name(element.tag), element.get(DSQ_ID, "")
            fields = _fields(element)
            if kind == "thread":
                self.forum = self.forum or str(fields.get("forum", ""))
                threads[ident] = self._thread(ident, fields, element.sourceline)
            elif kind == "post":
                thread = str(fields.get("thread", ""))
                first_line.setdefault(thread, element.sourceline)
                try:
                    posts[thread].append(self._entry(ident, fields))
                except ValueError as problem:
                    problems.setdefault(
                        thread, f"{problem} (line {element.sourceline})"
                    )
        for key, entries in posts.items():
            found = threads.get(key) or Discussion(
                key=key,
                label=f"the posts of thread {key} (from line {first_line[key]})",
                line=first_line[key],
                slugs=[],
                title="",
                problem=f"thread {key} is not in the file",
            )
            found.entries = entries
            found.problem = found.problem or problems.get(key, "")
            yield found

    def _thread(self, ident: str, fields: dict, line: int | None) -> Discussion:
        title = str(fields.get("title", ""))
        link = str(fields.get("link", ""))
        body, problem = "", ""
        try:
            body = html_to_markdown(str(fields.get("message", "")))
        except UnreadableHTML as unreadable:
            problem = f"the thread's own message: {unreadable}"
        return Discussion(
            key=ident,
            label=f"thread {ident} “{title or link}” (line {line})",
            line=line,
            slugs=slugs_from(str(fields.get("id", "")), link),
            title=title or link,
            body=body,
            published_at=_when(str(fields.get("createdAt", ""))),
            closed=fields.get("isClosed") == "true",
            problem=problem,
        )

    def _entry(self, ident: str, fields: dict) -> Entry:
        created = _when(str(fields.get("createdAt", "")))
        if not ident:
            raise ValueError("a post has no dsq:id")
        if created is None:
            raise ValueError(f"post {ident} has no createdAt date")
        author = fields.get("author") or {}
        if fields.get("isSpam") == "true":
            status = Comment.Status.SPAM
        elif fields.get("isApproved") == "false":
            status = Comment.Status.HELD
        else:
            status = Comment.Status.APPROVED
        deleted = fields.get("isDeleted") == "true"
        try:
            body = "" if deleted else html_to_markdown(str(fields.get("message", "")))
        except UnreadableHTML as problem:
            raise ValueError(f"post {ident}: {problem}") from None
        return Entry(
            source_id=ident,
            parent_id=str(fields["parent"]) if fields.get("parent") else None,
            name=str(author.get("name", "")),
            email=str(author.get("email", "")),
            created_at=created,
            status=status,
            body=body,
            registered=author.get("isAnonymous") == "false",
            deleted_at=timezone.now() if deleted else None,
        )
