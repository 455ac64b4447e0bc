"""Moderation's records: terms, verdicts, the audit log, flags, guest bans and the
spam model's counts. Comments and accounts hold the state; these say why."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.models import User
from comments.models import Comment
from core.text import normalise


class Action(models.TextChoices):
    APPROVE = "approve", "Approve"
    HOLD = "hold", "Hold for a moderator"
    REJECT = "reject", "Reject"
    SPAM = "spam", "Spam"


class RuleName(models.TextChoices):
    """The name each rule's findings record, and moderators filter by."""

    SHADOW_BAN = "shadow_ban", "Author shadow-banned"
    BAN = "ban", "Author banned"
    GUEST_BAN = "guest_ban", "Guest address banned"
    BANNED_TERM = "banned_term", "Banned term"
    WATCHED_TERM = "watched_term", "Watched term"
    LINKS = "links", "Too many links"
    FIRST_COMMENT = "first_comment", "First comment"
    UNCONFIRMED_GUEST = "unconfirmed_guest", "Guest address not confirmed"
    TOXICITY = "toxicity", "Toxicity score"
    SPAM = "spam", "Spam score"
    POLICY = "policy", "Discussion policy"
    CLASSIFIER = "classifier", "Could not be scored"
    SURGE = "surge", "Busy story (surge mode)"
    REPEAT_ABUSE = "repeat_abuse", "Author's comments often removed"


class Term(models.Model):
    """A word or phrase that rejects (banned) or holds (watched) a comment."""

    class Kind(models.TextChoices):
        BANNED = "banned", "Banned: reject the comment"
        WATCHED = "watched", "Watched: hold it for a moderator"

    phrase = models.CharField(max_length=100)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    # Matched against comments in the same folded form: case, accents and common
    # letter-for-digit swaps do not hide a term.
    normalised = models.CharField(max_length=200, editable=False)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "normalised"]
        constraints = [
            models.UniqueConstraint(
                fields=["normalised", "kind"], name="one_term_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.phrase} ({self.kind})"

    def save(self, *args, **kwargs) -> None:
        self.normalised = normalise(self.phrase).strip()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not normalise(self.phrase).strip():
            raise ValidationError(
                {"phrase": "Give a word or phrase with letters in it."}
            )


class Verdict(models.Model):
    """The machine's decision on one revision of a comment, with its reasons."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="verdicts"
    )
    revision = models.PositiveIntegerField()
    action = models.CharField(max_length=7, choices=Action.choices)
    shadow = models.BooleanField(
        default=False, help_text="The author is shadow-banned: only they see it."
    )
    policy = models.CharField(max_length=12)
    # [{"rule": "links", "action": "hold", "reason": "3 links (at most 2)"}, ...]
    reasons = models.JSONField(default=list)
    # The rules that fired, space-separated and space-ended (" links spam "):
    # a filter by rule that works on every database.
    rule_names = models.CharField(max_length=300, blank=True, editable=False)
    # {"toxicity": {"score": 0.93, "model": "...", "version": "...", "signals": [...]}}
    scores = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The machine decides each revision once, however often its task runs.
            models.UniqueConstraint(
                fields=["comment", "revision"], name="one_verdict_per_revision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} for comment {self.comment_id} r{self.revision}"

    def save(self, *args, **kwargs) -> None:
        self.rule_names = rule_names_of(self.reasons)
        super().save(*args, **kwargs)

    @property
    def reason_text(self) -> str:
        return "; ".join(r["reason"] for r in self.reasons) or "No rule fired."

    def score_of(self, name: str) -> float | None:
        entry = self.scores.get(name)
        return entry["score"] if entry else None


def rule_names_of(reasons: list[dict]) -> str:
    names = sorted({r["rule"] for r in reasons})
    return f" {' '.join(names)} " if names else ""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One change of a comment's status or of an author's ban, by whom and why."""

    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit"
    )
    comment_ref = models.BigIntegerField(
        null=True, blank=True, help_text="The comment's id, kept if it is deleted."
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account a ban concerns.",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the machine acted.",
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=30)
    reasons = models.JSONField(default=list)
    before = models.CharField(max_length=30, blank=True)
    after = models.CharField(max_length=30, blank=True)
    revision = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.action} ({self.before} → {self.after})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


class FlagQuerySet(models.QuerySet):
    def open(self) -> "FlagQuerySet":
        """Unreviewed flags that count: a shadow-banned reader's never do."""
        return self.filter(resolved_at__isnull=True, counted=True)


class Flag(models.Model):
    """A reader's report of a comment, one per reader per comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abuse or harassment"
        OFF_TOPIC = "off_topic", "Off-topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When a moderator reviewed the comment."
    )
    counted = models.BooleanField(
        default=True, help_text="False when the reader was shadow-banned."
    )
    # How much this flag counts toward holding the comment (see flags.weight_of),
    # fixed when it is made.
    weight = models.FloatField(default=1.0)
    # Once a moderator decided the comment: whether they took it down.
    upheld = models.BooleanField(null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_flag_each")
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {self.comment_id}"


class Appeal(models.Model):
    """An author's objection to a decision on their comment, decided by a person
    other than the one who made it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DECIDED = "decided", "Decided"

    class Outcome(models.TextChoices):
        UPHOLD = "uphold", "Upheld: the decision stands"
        REVERSE = "reverse", "Reversed: the comment is published"

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="appeals"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The decision appealed: when it was made, what it was, and by whom (empty
    # for the machine's, which any moderator may review).
    decided_at = models.DateTimeField()
    action = models.CharField(max_length=7, choices=Action.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=7, choices=Outcome.choices, blank=True)
    reason = models.TextField(max_length=2000, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "decided_at"], name="one_appeal_per_decision"
            )
        ]

    def __str__(self) -> str:
        return f"Appeal of {self.action} on comment {self.comment_id}"

    def as_json(self) -> dict:
        """Where the appeal stands, as its author reads it."""
        return {
            "id": self.pk,
            "status": self.status,
            "outcome": self.outcome or None,
            "created_at": self.created_at.isoformat(),
        }


class DecisionNotice(models.Model):
    """An e-mail to a comment's author about a decision, recorded before it is
    sent: one per decision and kind, however often its task runs."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Rejected or marked as spam"
        HELD = "held", "Held longer than usual"
        APPEAL = "appeal", "Appeal decided"
        WARNING = "warning", "Warned: new comments will be held"

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="decision_notices"
    )
    decided_at = models.DateTimeField(help_text="The decision it tells of.")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "decided_at", "kind"], name="one_notice_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} notice for comment {self.comment_id}"


class TrustedFlagger(models.Model):
    """A reader whose flag holds a comment at once, named by a moderator."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"trusted flagger {self.user_id}"


class GuestBan(models.Model):
    """A guest e-mail address whose comments are rejected."""

    email = models.EmailField(unique=True)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class SpamToken(models.Model):
    """How many spam and non-spam comments a word has appeared in."""

    token = models.CharField(max_length=40, unique=True)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token}: {self.spam} spam, {self.ham} ham"


class DeskClaim(models.Model):
    """A moderator is working a comment's card on the desk: the others see it
    taken until the lease runs out (MODERATION_DESK_CLAIM_SECONDS)."""

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, primary_key=True, related_name="desk_claim"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"comment {self.comment_id} claimed by {self.moderator_id}"


class UndoRecord(models.Model):
    """What one moderator's decision changed, kept so that they can take it back
    for a short while (MODERATION_UNDO_SECONDS)."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    audit = models.OneToOneField(AuditEntry, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=30)
    # The state the decision replaced: the comment's status, shadow and decision
    # and the flags it resolved, or the author's ban.
    before = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"undo of {self.action} by {self.moderator_id}"


class QueueItem(Comment):
    """A comment as the moderators' queue shows it (held, pending or flagged)."""

    class Meta:
        proxy = True
        verbose_name = "comment to moderate"
        verbose_name_plural = "moderation queue"


class BannedAccount(User):
    """An account as the moderators' list of bans shows it."""

    class Meta:
        proxy = True
        verbose_name = "banned reader"
        verbose_name_plural = "banned readers"


# Choices of a bundle's yes/no limits: empty follows the site's setting.
_SITE_DEFAULT = ("", "Site default")


class PolicyBundle(models.Model):
    """A named set of moderation limits that editors give articles or topics.

    An empty limit follows the site default (the MODERATION_* settings); see
    bundles.policy_for for how an article's limits are found.
    """

    class Policy(models.TextChoices):
        AS_ARTICLE = "article", "As the article's discussion policy says"
        PREMODERATED = "premoderated", "Pre-moderated: every comment is held"

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(
        max_length=300, blank=True, help_text="What the bundle is for, for editors."
    )
    policy = models.CharField(
        max_length=12,
        choices=Policy.choices,
        default=Policy.AS_ARTICLE,
        help_text="A bundle may pre-moderate an open discussion; it never opens "
        "a closed one.",
    )
    toxicity_threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Hold comments scoring at least this for toxicity (0–1); empty: "
        "the site default.",
    )
    spam_threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Mark as spam comments scoring at least this (0–1); empty: the "
        "site default.",
    )
    link_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Hold comments with more links than this; empty: the site default.",
    )
    hold_first_comment = models.BooleanField(
        null=True,
        blank=True,
        choices=[_SITE_DEFAULT, (True, "Held"), (False, "Not held")],
        help_text="Whether an account's first comment waits for a moderator "
        "(a guest's first always does).",
    )
    flags_to_hold = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="The weight of readers' flags that holds a comment; empty: the "
        "site default.",
    )
    guest_comments = models.BooleanField(
        null=True,
        blank=True,
        choices=[_SITE_DEFAULT, (True, "Allowed"), (False, "Held for a moderator")],
        help_text="Guests comment only where the site allows them; a bundle may "
        "hold every guest comment.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "moderation policy bundle"

    def __str__(self) -> str:
        return self.name


class ArticlePolicy(models.Model):
    """The bundle an editor chose for one article (before its topics' bundles)."""

    article = models.OneToOneField(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="moderation_policy",
        error_messages={"unique": "This article follows another bundle already."},
    )
    bundle = models.ForeignKey(
        PolicyBundle, on_delete=models.CASCADE, related_name="article_policies"
    )

    class Meta:
        verbose_name = "article using the bundle"
        verbose_name_plural = "articles using the bundle"

    def __str__(self) -> str:
        return f"{self.bundle} for article {self.article_id}"


class TopicPolicy(models.Model):
    """The bundle an editor chose for every article filed under a topic."""

    topic = models.OneToOneField(
        "articles.Topic",
        on_delete=models.CASCADE,
        related_name="moderation_policy",
        error_messages={"unique": "This topic follows another bundle already."},
    )
    bundle = models.ForeignKey(
        PolicyBundle, on_delete=models.CASCADE, related_name="topic_policies"
    )

    class Meta:
        verbose_name = "topic using the bundle"
        verbose_name_plural = "topics using the bundle"

    def __str__(self) -> str:
        return f"{self.bundle} for topic {self.topic_id}"


class SurgeQuerySet(models.QuerySet):
    def open(self) -> "SurgeQuerySet":
        return self.filter(ended_at__isnull=True)


class Surge(models.Model):
    """A spell of surge mode on a busy article: every new comment waits for a
    moderator until it ends (surge.py). Started and ended by the machine or by
    a moderator; Article.busy_since mirrors an open one for readers' pages."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="surges"
    )
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the machine started it.",
    )
    reason = models.CharField(max_length=300)
    # The machine's cool-down: since when its checks have found the article
    # calm; cleared when it is busy again.
    calm_since = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the machine ended it.",
    )
    end_reason = models.CharField(max_length=300, blank=True)

    objects = SurgeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_surge_per_article",
                violation_error_message="This article is in surge mode already.",
            )
        ]

    def __str__(self) -> str:
        return (
            f"surge on article {self.article_id} from {self.started_at:%Y-%m-%d %H:%M}"
        )

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class ToxicityExample(models.Model):
    """A comment a moderator's override labelled: the toxicity model's site corpus.

    Approving a held comment labels it civil, rejecting an approved one abusive;
    `manage.py train_toxicity` fits on these and on the repository's corpus.
    """

    class Label(models.TextChoices):
        ABUSIVE = "abusive", "Abusive"
        CIVIL = "civil", "Civil"

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="toxicity_example"
    )
    text = models.TextField()
    label = models.CharField(max_length=7, choices=Label.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.label}: comment {self.comment_id}"


class ToxicityArtefact(models.Model):
    """A toxicity model fitted on both corpora, for every process to load."""

    version = models.CharField(max_length=12, unique=True)
    code_version = models.CharField(
        max_length=12, help_text="The classifier code it was fitted by."
    )
    data = models.BinaryField()
    corpus_rows = models.PositiveIntegerField()
    site_rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"toxicity {self.version} ({self.site_rows} site examples)"
