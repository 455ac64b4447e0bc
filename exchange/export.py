"""The site's comments out again: WXR that import_wordpress (or WordPress) reads
back, and JSON for anything else. Both are written as they are read, article
by article and comment by comment, so memory stays flat however large the site.

The WXR carries each comment's HTML where WordPress expects it and, in a
namespace WordPress ignores, the Markdown it was written in and when it was
deleted, so that an export imported into an empty site gives back the same
threads, bodies, dates, statuses and authors.
"""

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from articles.models import Article
from comments.models import Comment

from .models import ImportedPing
from .wordpress import AGORA_NS, DATE_FORMAT

WP_NS = "http://wordpress.org/export/1.2/"
NSMAP = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": WP_NS,
    "agora": AGORA_NS,
}
WP_STATUS = {
    Comment.Status.APPROVED: "1",
    # A pending comment has not been decided; imported, a person decides it.
    Comment.Status.PENDING: "0",
    Comment.Status.HELD: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.REJECTED: "trash",
}
# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _comments(article: Article) -> Iterator[Comment]:
    rows = (
        Comment.objects.filter(article=article)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return rows.iterator(chunk_size=2000)


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def _wp_date(when: datetime | None, *, local: bool = False) -> str:
    if when is None:
        return "0000-00-00 00:00:00"
    when = timezone.localtime(when) if local else when.astimezone(UTC)
    return when.strftime(DATE_FORMAT)


def _author(comment: Comment) -> tuple[str, str]:
    if comment.author_id:
        return comment.author.public_name, comment.author.email
    return comment.guest_name, comment.guest_email


def export_wxr(out, *, articles: QuerySet) -> int:
    """Write the articles' comments as WXR 1.2 to a binary file; return how many."""
    count = 0
    site = settings.SITE_URL.rstrip("/")
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("rss", version="2.0", nsmap=NSMAP), xf.element("channel"):
            _leaf(xf, "title", settings.SITE_NAME)
            _leaf(xf, "link", site)
            _leaf(xf, f"{{{WP_NS}}}wxr_version", "1.2")
            _leaf(xf, f"{{{WP_NS}}}base_site_url", site)
            _leaf(xf, f"{{{WP_NS}}}base_blog_url", site)
            for article in articles.iterator(chunk_size=200):
                with xf.element("item"):
                    _item_head(xf, article, site)
                    for comment in _comments(article):
                        xf.write(_wxr_comment(comment))
                        count += 1
                xf.flush()
    return count


def _leaf(xf, tag: str, text: str) -> None:
    with xf.element(tag):
        xf.write(_xml(text))


def _item_head(xf, article: Article, site: str) -> None:
    wp = f"{{{WP_NS}}}"
    _leaf(xf, "title", article.title)
    _leaf(xf, "link", site + article.get_absolute_url())
    _leaf(xf, f"{{{NSMAP['content']}}}encoded", article.body_html)
    _leaf(xf, f"{wp}post_id", str(article.pk))
    _leaf(xf, f"{wp}post_date", _wp_date(article.published_at, local=True))
    _leaf(xf, f"{wp}post_date_gmt", _wp_date(article.published_at))
    closed = article.discussion_policy == Article.DiscussionPolicy.CLOSED
    _leaf(xf, f"{wp}comment_status", "closed" if closed else "open")
    _leaf(xf, f"{wp}post_name", article.slug)
    published = article.status != Article.Status.DRAFT
    _leaf(xf, f"{wp}status", "publish" if published else "draft")
    _leaf(xf, f"{wp}post_type", "post")


def _wxr_comment(comment: Comment) -> etree._Element:
    wp = f"{{{WP_NS}}}"
    name, email = _author(comment)
    element = etree.Element(f"{wp}comment", nsmap=NSMAP)
    fields = [
        (f"{wp}comment_id", str(comment.pk)),
        (f"{wp}comment_author", name),
        (f"{wp}comment_author_email", email),
        (f"{wp}comment_author_url", ""),
        (f"{wp}comment_date", _wp_date(comment.created_at, local=True)),
        (f"{wp}comment_date_gmt", _wp_date(comment.created_at)),
        (f"{wp}comment_content", comment.body_html),
        (f"{wp}comment_approved", WP_STATUS[comment.status]),
        (f"{wp}comment_type", "comment"),
        (f"{wp}comment_parent", str(comment.parent_id or 0)),
        (f"{wp}comment_user_id", str(comment.author_id or 0)),
        (f"{{{AGORA_NS}}}body", comment.body),
    ]
    if comment.deleted_at is not None:
        fields.append((f"{{{AGORA_NS}}}deleted", comment.deleted_at.isoformat()))
    for tag, text in fields:
        etree.SubElement(element, tag).text = _xml(text)
    return element


def export_json(out, *, articles: QuerySet) -> int:
    """Write the articles, their comments and pings as JSON to a text file."""
    count = 0
    head = {
        "format": "agora-comments",
        "version": 1,
        "site": settings.SITE_URL.rstrip("/"),
        "exported_at": timezone.now().isoformat(),
    }
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "articles": [')
    for number, article in enumerate(articles.iterator(chunk_size=200)):
        out.write(",\n" if number else "\n")
        out.write(json.dumps(_json_article(article), ensure_ascii=False)[:-2])
        for index, comment in enumerate(_comments(article)):
            out.write(",\n" if index else "\n")
            out.write(json.dumps(_json_comment(comment), ensure_ascii=False))
            count += 1
        pings = ImportedPing.objects.filter(article=article).order_by("created_at")
        out.write('], "pings": ')
        out.write(json.dumps([_json_ping(p) for p in pings], ensure_ascii=False))
        out.write("}")
    out.write("\n]}\n")
    return count


def _json_article(article: Article) -> dict:
    return {
        "slug": article.slug,
        "title": article.title,
        "url": settings.SITE_URL.rstrip("/") + article.get_absolute_url(),
        "status": article.status,
        "published_at": _iso(article.published_at),
        "discussion_policy": article.discussion_policy,
        "comments": [],
    }


def _json_comment(comment: Comment) -> dict:
    name, email = _author(comment)
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "created_at": _iso(comment.created_at),
        "edited_at": _iso(comment.edited_at),
        "deleted_at": _iso(comment.deleted_at),
        "status": comment.status,
        "author": {
            "username": comment.author.username if comment.author_id else None,
            "name": name,
            "email": email,
        },
        "body": comment.body,
        "body_html": comment.body_html,
        "score": comment.score,
        "reply_count": comment.reply_count,
    }


def _json_ping(ping: ImportedPing) -> dict:
    return {
        "kind": ping.kind,
        "title": ping.title,
        "url": ping.url,
        "excerpt": ping.excerpt,
        "created_at": _iso(ping.created_at),
    }


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None
