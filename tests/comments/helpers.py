"""Quick ways to grow a discussion for tests, through the import service."""

from django.db.models import F
from django.utils import timezone

from articles.models import Article
from comments.cache import discussion_changed
from comments.markdown import render_comment
from comments.models import Comment
from comments.services import comment_import, normalise_body, place_in_thread
from exchange.bulk import reserve_ids


def add_comment(article, author, *, parent=None, status="approved", score=0, body=None):
    """Place one already-moderated comment in its thread (no posting rules)."""
    comment = comment_import(
        article=article,
        author=author,
        parent=parent,
        body=body or f"Comment by {author.username}",
        status=status,
    )
    if score:
        Comment.objects.filter(pk=comment.pk).update(score=score)
        comment.score = score
    return comment


def grow(article, authors, *, top_level: int, replies_each: int) -> list:
    """`top_level` threads, each with a chain and a fan of replies: the approved
    comments add_comment would place one by one, written in one statement."""
    shape = []  # (author, index of the parent in shape or None, score)
    for i in range(top_level):
        top = len(shape)
        shape.append((authors[i % len(authors)], None, i % 7))
        parent = top
        for j in range(replies_each):
            shape.append((authors[j % len(authors)], parent if j % 2 else top, 0))
            parent = len(shape) - 1
    ids = reserve_ids(Comment, len(shape))
    now, rendered, made = timezone.now(), {}, []
    for pk, (author, at, score) in zip(ids, shape, strict=True):
        body = normalise_body(f"Comment by {author.username}")
        if body not in rendered:
            rendered[body] = render_comment(body)
        parent = None if at is None else made[at]
        comment = Comment(
            pk=pk, article=article, parent=parent, author=author, body=body,
            body_html=rendered[body], status=Comment.Status.APPROVED,
            notified_at=now, score=score,
        )  # fmt: skip
        place_in_thread(comment, parent)  # the service's own rule for the path
        if parent is not None:
            parent.reply_count += 1
        made.append(comment)
    Comment.objects.bulk_create(made)
    Article.objects.filter(pk=article.pk).update(
        comment_count=F("comment_count") + len(made)
    )
    discussion_changed(article.pk)
    return made
