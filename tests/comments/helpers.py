"""Quick ways to grow a discussion for tests, straight through the models."""

from django.db.models import F

from articles.models import Article
from comments.markdown import render_comment
from comments.models import MAX_DEPTH, Comment, path_segment


def add_comment(article, author, *, parent=None, status="approved", score=0, body=None):
    """Insert one comment in its tree place without the posting rules (fixtures)."""
    body = body or f"Comment by {author.username}"
    comment = Comment.objects.create(
        article=article,
        author=author,
        parent=parent,
        body=body,
        body_html=render_comment(body),
        status=status,
        score=score,
    )
    if parent is None:
        comment.root_id, comment.depth, comment.path = (
            comment.pk, 0, path_segment(comment.pk),
        )  # fmt: skip
    elif parent.depth < MAX_DEPTH - 1:
        comment.root_id, comment.depth = parent.root_id, parent.depth + 1
        comment.path = parent.path + path_segment(comment.pk)
    else:
        comment.root_id, comment.depth = parent.root_id, parent.depth
        comment.path = parent.tree_parent_path + path_segment(comment.pk)
    comment.save(update_fields=["root", "depth", "path"])
    if status == "approved":  # keep the counters as the services would
        article.comment_count += 1
        Article.objects.filter(pk=article.pk).update(
            comment_count=F("comment_count") + 1
        )
        if parent is not None:
            Comment.objects.filter(pk=parent.pk).update(
                reply_count=F("reply_count") + 1
            )
    return comment


def grow(article, authors, *, top_level: int, replies_each: int) -> list:
    """`top_level` threads, each with a chain and a fan of replies."""
    made = []
    for i in range(top_level):
        top = add_comment(article, authors[i % len(authors)], score=i % 7)
        made.append(top)
        parent = top
        for j in range(replies_each):
            child = add_comment(
                article, authors[j % len(authors)], parent=parent if j % 2 else top
            )
            made.append(child)
            parent = child
    return made
