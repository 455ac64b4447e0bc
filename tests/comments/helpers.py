"""Quick ways to grow a discussion for tests, through the import service."""

from comments.models import Comment
from comments.services import comment_import


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
