"""Demo work for the moderators: comments the machine held, each saying why."""

from collections.abc import Callable

from accounts.models import User
from articles.models import Article
from comments.models import Comment
from comments.services import comment_import

from .services import comment_moderate

HELD = [
    # (username or None for a guest, guest name, body)
    (None, "Pat", "Long-time reader, first comment. The section on allies is the "
                  "strongest part of the piece."),
    ("newcomer", "", "Sources: https://example.org/a https://example.org/b "
                     "https://example.org/c and more."),
    ("angry_reader", "", "You clearly know nothing about chips, you clueless idiot."),
]  # fmt: skip


def seed_queue(articles: list[Article], say: Callable[[str], None]) -> None:
    """Post the demo's held comments once and let the machine decide them."""
    if (
        not articles
        or Comment.objects.filter(
            article__in=articles, status=Comment.Status.HELD
        ).exists()
    ):
        say("Demo moderation queue: already there.")
        return
    for n, (username, guest_name, body) in enumerate(HELD):
        author = None
        if username:
            author, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
        comment = comment_import(
            article=articles[n % len(articles)],
            author=author,
            body=body,
            guest_name=guest_name,
            guest_email="pat@example.com" if not author else "",
            status=Comment.Status.PENDING,
        )
        comment_moderate(comment_id=comment.pk, revision=comment.revision)
    say(f"Demo moderation queue: {len(HELD)} comments decided by the machine.")
