"""The comment tree under each article, readers' votes and subscriptions.

Display order inside a thread comes from `path`: the path of the comment's place
in the tree followed by its own id, zero-padded to a fixed width. Ordering by
path lists a whole thread depth-first with replies oldest first, and a new reply
never renumbers anybody. Below the display depth a reply takes a place beside
the comment it answers (its `parent` stays the comment it answers).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from articles.models import Article

PATH_STEP = 10  # digits per level: ids up to 9,999,999,999
MAX_DEPTH = 6  # levels shown; depth runs 0 (top level) to MAX_DEPTH - 1
MAX_BODY = 5000  # characters, once normalised


def path_segment(comment_id: int) -> str:
    return f"{comment_id:0{PATH_STEP}d}"


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommentQuerySet":
        """Approved comments, plus the reader's own in every status.

        The author is never told "not found" about what they wrote: a comment
        waiting, rejected or marked spam shows them where it stands (a
        shadowed one looks published to them, and to nobody else).
        """
        visible = Q(status=Comment.Status.APPROVED)
        if user is not None and user.is_authenticated:
            visible |= Q(author=user)
        return self.filter(visible)

    def readable_by(self, user) -> "CommentQuerySet":
        """What `visible_to` allows, under an article the reader may read: a
        comment on an article taken down again is gone with it."""
        return self.visible_to(user).filter(
            article__in=Article.objects.visible_to(user)
        )

    def in_thread_order(self) -> "CommentQuerySet":
        return self.order_by("root_id", "path")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        HELD = "held", "Held for review"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The comment this one answers.",
    )
    # The top-level comment of the thread; a top-level comment is its own root.
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=PATH_STEP * MAX_DEPTH, blank=True)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    guest_name = models.CharField(max_length=60, blank=True)
    guest_email = models.EmailField(blank=True)

    body = models.TextField(max_length=MAX_BODY)
    body_html = models.TextField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A shadow-banned author's comment: shown to its author as published, to
    # nobody else (its status says what everyone else sees).
    shadowed = models.BooleanField(default=False)
    # Moderation decides each revision once; an edit starts a new one.
    revision = models.PositiveIntegerField(default=1)
    notified_at = models.DateTimeField(null=True, blank=True)
    # The statement of reasons its author (and moderators) read: the latest
    # decision on it, written with the status by moderation. Null while pending.
    # {"action", "automated", "reasons", "policy", "decided_at",
    #  "appealable_until", "appeal"}
    decision = models.JSONField(null=True, blank=True)

    # Kept right by the services with F() updates in the posting transaction.
    score = models.IntegerField(default=0)
    reply_count = models.PositiveIntegerField(
        default=0, help_text="Approved direct replies."
    )

    ip_hash = models.CharField(max_length=64, blank=True)
    # NULL, not "", when absent: the unique constraint only binds real keys.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["root_id", "path"]
        indexes = [
            models.Index(fields=["article", "depth", "status", "id"]),
            models.Index(fields=["article", "depth", "-score", "id"]),
            models.Index(fields=["root", "path"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["author", "article", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="comments_comment_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_name} on {self.article_id}"

    def get_absolute_url(self) -> str:
        return (
            f"{self.article.get_absolute_url()}?thread={self.root_id}#comment-{self.pk}"
        )

    @property
    def author_name(self) -> str:
        if self.author_id:
            return self.author.public_name
        return self.guest_name or "Guest"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def status_for_author(self) -> str:
        """The status its author is shown: a shadowed comment looks approved."""
        return self.Status.APPROVED if self.shadowed else self.status

    @property
    def decision_for_author(self) -> dict | None:
        """The statement of reasons its author reads: none on a shadowed comment,
        which must look published to them."""
        return None if self.shadowed else self.decision

    @property
    def standing_for_author(self) -> str | None:
        """What its author is told of where it stands; None once published or
        deleted."""
        if self.is_deleted:
            return None
        return _STANDING.get(self.status_for_author)

    @property
    def tree_parent_path(self) -> str:
        return self.path[:-PATH_STEP]


_STANDING = {
    Comment.Status.PENDING: "Awaiting moderation",
    Comment.Status.HELD: "Awaiting moderation",
    Comment.Status.REJECTED: "Not published: rejected in moderation",
    Comment.Status.SPAM: "Not published: marked as spam",
}


class Vote(models.Model):
    """One reader's +1 or -1 on a comment; withdrawing a vote deletes the row."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField(choices=[(1, "Up"), (-1, "Down")])
    # False for a shadow-banned reader's vote: shown to them, in no score.
    counted = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_vote_each"),
            models.CheckConstraint(
                condition=Q(value__in=[1, -1]), name="vote_is_up_or_down"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} on {self.comment_id}"


class ArticleSubscription(models.Model):
    """A reader who asked to hear of every new comment on an article."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="article_subscriptions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], name="one_subscription_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.article_id}"


class GuestAddress(models.Model):
    """A guest's e-mail address, and whether its owner proved they read it.

    Until confirmed by the link we send, every comment from it waits for a
    moderator: an address alone proves nothing, so it can neither borrow an
    approved guest's standing nor start afresh after a ban.
    """

    email = models.EmailField(unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "guest addresses"

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
