"""Every decision about a comment or an author, by the machine or a moderator.

Each writes its audit entry in the same transaction as the change it records.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from accounts import ratelimit
from accounts.models import MODERATORS_GROUP, User
from comments import rights
from comments.models import Comment
from comments.services import comment_set_status
from core.exceptions import Conflict, RateLimited
from core.text import normalise

from . import bundles, flags, repeat, rules, selectors, waits
from .classifiers import Score, score_all
from .models import (
    Action,
    AuditEntry,
    DecisionNotice,
    Flag,
    RuleName,
    Term,
    Verdict,
)
from .signals import author_to_be_told, comment_decided

logger = logging.getLogger(__name__)

STATUS_FOR = {
    Action.APPROVE: Comment.Status.APPROVED,
    Action.HOLD: Comment.Status.HELD,
    Action.REJECT: Comment.Status.REJECTED,
    Action.SPAM: Comment.Status.SPAM,
}
MACHINE = "machine"


class AlreadyFlagged(Conflict):
    """The reader has flagged this comment before."""


class DecidedMeanwhile(Conflict):
    """Someone acted on the comment since the moderator last looked at it."""


def audit(
    *,
    comment: Comment | None,
    actor: User | None,
    action: str,
    reasons: list[str],
    before: str = "",
    after: str = "",
    subject_user: User | None = None,
) -> AuditEntry:
    """Append one entry to the audit log."""
    return AuditEntry.objects.create(
        comment=comment,
        comment_ref=comment.pk if comment else None,
        revision=comment.revision if comment else None,
        subject_user=subject_user,
        actor=actor,
        actor_name=actor.username if actor else MACHINE,
        action=action,
        reasons=reasons,
        before=before,
        after=after,
    )


def _pending(comment_id: int, revision: int | None) -> Comment | None:
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return None
    if revision is not None and revision != comment.revision:
        return None  # an edit since: the task for that revision decides it
    return comment


def comment_moderate(*, comment_id: int, revision: int | None = None) -> Verdict | None:
    """Decide a pending comment revision once; None when there is nothing to do.

    Classifiers run before the row is locked (they may be slow); may raise
    ClassifierUnavailable, leaving the comment pending for a retry.
    """
    comment = _pending(comment_id, revision)
    if comment is None:
        return None
    return _decide(comment.pk, comment.revision, score_all(comment.body))


@transaction.atomic
def _decide(comment_id: int, revision: int, scores: dict[str, Score]) -> Verdict | None:
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article", "author")
        .get(pk=comment_id)
    )
    if comment.status != Comment.Status.PENDING or comment.revision != revision:
        return None  # decided meanwhile (another delivery, or a moderator)
    ctx = rules.Context(
        comment=comment,
        article=comment.article,
        folded=normalise(comment.body),
        scores=scores,
        terms=list(Term.objects.all()),
    )
    action, shadow, findings = rules.evaluate(ctx)
    verdict = _record(comment, action, shadow, findings, scores)
    removed = verdict is not None and action in TOLD_AT_ONCE and not shadow
    if removed and ctx.author_removals is not None:
        # Counted before this one was removed: now it is one more.
        _warn_if_repeat(comment, ctx.author_removals + 1)
    return verdict


def _record(comment, action, shadow, findings, scores) -> Verdict | None:
    try:
        with transaction.atomic():
            verdict = Verdict.objects.create(
                comment=comment,
                revision=comment.revision,
                action=action,
                shadow=shadow,
                policy=comment.article.discussion_policy,
                reasons=[f.as_json() for f in findings],
                scores={name: s.as_json() for name, s in scores.items()},
            )
    except IntegrityError:
        return None  # this revision already has its verdict
    before = comment.status
    reasons = [f.reason for f in findings] or ["No rule fired."]
    comment_set_status(
        comment_id=comment.pk,
        status=STATUS_FOR[action],
        shadowed=shadow,
        decision=statement(
            action=action, automated=True, reasons=reasons, policy=verdict.policy
        ),
    )
    audit(
        comment=comment,
        actor=None,
        action=action.value,
        reasons=reasons,
        before=before,
        after=STATUS_FOR[action],
    )
    if action in TOLD_AT_ONCE and not shadow:
        tell_author(comment.pk, DecisionNotice.Kind.DECISION)
    return verdict


# Decisions their author hears of by e-mail as they are made (a hold only when
# it lasts: notify_long_holds).
TOLD_AT_ONCE = (Action.REJECT, Action.SPAM)


def tell_author(comment_id: int, kind: str, countdown: int = 0) -> None:
    transaction.on_commit(
        lambda: author_to_be_told.send(
            sender=Comment, comment_id=comment_id, kind=kind, countdown=countdown
        )
    )


def statement(
    *, action: Action, automated: bool, reasons: list[str], policy: str
) -> dict:
    """The statement of reasons the author reads, as Comment.decision keeps it.

    A hold says how long holds usually last here (waits.usual_wait).
    """
    now = timezone.now()
    appealable = action != Action.APPROVE
    until = now + timedelta(days=settings.MODERATION_APPEAL_DAYS)
    wait = waits.usual_wait() if action == Action.HOLD else {}
    return {
        "action": Action(action).value,
        "automated": automated,
        "reasons": list(reasons),
        "policy": policy,
        "decided_at": now.isoformat(),
        "appealable_until": until.isoformat() if appealable else None,
        "appeal": None,
        "usual_wait": wait.get("usual_wait"),
        "usual_wait_minutes": wait.get("usual_wait_minutes"),
    }


@transaction.atomic
def comment_hold_unscored(*, comment_id: int, revision: int, why: str) -> bool:
    """After the retries, hold a comment the classifiers could not score."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.status != Comment.Status.PENDING:
        return False
    if comment.revision != revision:
        return False
    finding = rules.Finding(
        RuleName.CLASSIFIER,
        Action.HOLD,
        f"Could not be scored ({why}); a person decides.",
    )
    return _record(comment, Action.HOLD, False, [finding], {}) is not None


@transaction.atomic
def moderator_decide(
    *,
    comment: Comment,
    moderator: User,
    action: str,
    reason: str = "",
    seen: int | None = None,
) -> Comment:
    """A moderator approves, rejects or marks spam; final for this revision.

    `seen` is the newest audit entry's id (0 for none) when the moderator read
    the comment: a decision taken since by someone else refuses this one. Without
    it, another moderator's decision of the last moments does.
    """
    if not moderator.is_moderator:
        raise PermissionDenied("Only moderators decide comments.")
    try:
        action = Action(action)
    except ValueError as exc:
        raise ValidationError({"action": "Choose approve, reject or spam."}) from exc
    if action == Action.HOLD:
        raise ValidationError({"action": "Choose approve, reject or spam."})
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article")
        .get(pk=comment.pk)
    )
    if comment.is_deleted:
        raise ValidationError("Its author deleted this comment.")
    refuse_if_decided_meanwhile(comment, moderator, seen)
    before = comment.status
    # The author reads the moderator's words, or that a person decided.
    reasons = [reason.strip() or "A moderator reviewed it."]
    comment, _ = comment_set_status(
        comment_id=comment.pk,
        status=STATUS_FOR[action],
        decision=statement(
            action=action,
            automated=False,
            reasons=reasons,
            policy=comment.article.discussion_policy,
        ),
    )
    # Each flag's outcome becomes part of its reader's record (flags.weight_of).
    Flag.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), upheld=action in (Action.REJECT, Action.SPAM)
    )
    audit(
        comment=comment,
        actor=moderator,
        action=action.value,
        reasons=[reason or f"Decided by {moderator.username}."],
        before=before,
        after=comment.status,
    )
    if before != comment.status:
        pk = comment.pk
        transaction.on_commit(
            lambda: comment_decided.send(
                sender=Comment, comment_id=pk, action=action, moderator=moderator
            )
        )
        if action in TOLD_AT_ONCE:
            # Not before the moderator's chance to take it back has passed.
            tell_author(
                pk, DecisionNotice.Kind.DECISION, settings.MODERATION_UNDO_SECONDS
            )
            if comment.author_id and not comment.shadowed:
                count = repeat.removals(author_id=comment.author_id)
                _warn_if_repeat(comment, count, settings.MODERATION_UNDO_SECONDS)
    return comment


def _warn_if_repeat(comment: Comment, count: int, countdown: int = 0) -> None:
    """At MODERATION_REPEAT_REJECTIONS removals within the window, warn the author,
    once per window: audited as `warn`, and e-mailed (notices: never to a
    shadow-banned author)."""
    if not repeat.is_repeat(count):
        return
    # The author's row, locked: two removals at once warn once.
    author = User.objects.select_for_update().get(pk=comment.author_id)
    if repeat.warned_lately(author_id=author.pk):
        return
    audit(
        comment=comment,
        actor=None,
        subject_user=author,
        action=repeat.WARN,
        reasons=[repeat.warning_reason(count)],
    )
    tell_author(comment.pk, DecisionNotice.Kind.WARNING, countdown)


def newest_audit(comment_id: int) -> AuditEntry | None:
    """The comment's newest audit entry: what was last done to it."""
    return AuditEntry.objects.filter(comment_id=comment_id).order_by("-pk").first()


def seen_marks(comment_ids: list[int]) -> dict[int, int]:
    """Each comment's newest audit entry id (absent: none), in one query: what a
    moderator is shown, so a decision someone takes meanwhile refuses theirs."""
    rows = (
        AuditEntry.objects.filter(comment_id__in=comment_ids)
        .values("comment_id")
        .annotate(latest=Max("pk"))
    )
    return {row["comment_id"]: row["latest"] for row in rows}


def refuse_if_decided_meanwhile(comment, moderator, seen: int | None) -> None:
    """Raise DecidedMeanwhile when someone acted on the comment since `seen`."""
    newest = newest_audit(comment.pk)
    if newest is None:
        return
    if seen is not None:
        stale = newest.pk != seen
    else:
        window = timedelta(seconds=settings.MODERATION_RECENT_DECISION_SECONDS)
        stale = (
            newest.actor_id not in (None, moderator.pk)
            and newest.action in Action.values
            and newest.created_at > timezone.now() - window
        )
    if stale:
        who = "the machine" if newest.actor_id is None else newest.actor_name
        if newest.actor_id == moderator.pk:
            who = "you"
        ago = int((timezone.now() - newest.created_at).total_seconds())
        state = Comment.Status(comment.status).label.lower()
        raise DecidedMeanwhile(
            f"Not applied: {who} acted on this comment {ago} s ago "
            f"({newest.action}); it is now {state}."
        )


@transaction.atomic
def flag_comment(*, comment: Comment, user: User, reason: str, note: str = "") -> Flag:
    """Record a reader's flag; enough weight of flags holds the comment for review."""
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": "Choose spam, abuse, off_topic or other."})
    if refusal := rights.react_refusal(comment, user, "flag"):
        raise refusal
    if wait := ratelimit.hit("flag", str(user.pk), settings.FLAG_THROTTLE_RATE):
        raise RateLimited(wait, "flagging")
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                comment=comment,
                user=user,
                reason=reason,
                note=note.strip()[:500],
                counted=rights.counts_for_others(user),
                weight=flags.weight_of(user),
            )
    except IntegrityError as exc:
        raise AlreadyFlagged("You have already flagged this comment.") from exc
    open_flags = list(
        Flag.objects.open().filter(comment=comment).values_list("reason", "weight")
    )
    threshold = bundles.policy_for(comment.article).flags_to_hold
    if flags.holds([weight for _, weight in open_flags], threshold):
        _hold_for_flags(comment, [reason for reason, _ in open_flags])
    return flag


def _hold_for_flags(comment: Comment, reasons: list[str]) -> None:
    held = Comment.Status.HELD
    if comment.status == held:
        return
    summary = ", ".join(f"{reasons.count(r)} × {r}" for r in sorted(set(reasons)))
    why = f"Readers flagged it ({summary}); a moderator will look."
    locked, before = comment_set_status(
        comment_id=comment.pk,
        status=held,
        decision=statement(
            action=Action.HOLD,
            automated=True,
            reasons=[why],
            policy=comment.article.discussion_policy,
        ),
    )
    if before == held:
        return
    audit(
        comment=locked,
        actor=None,
        action=Action.HOLD,
        reasons=[f"Flagged by {len(reasons)} readers ({summary})."],
        before=before,
        after=held,
    )


@transaction.atomic
def purge_old_bodies(*, older_than: timedelta) -> int:
    """Erase the text of spam and rejected comments after a while; audit rows stay."""
    cutoff = timezone.now() - older_than
    old = Comment.objects.filter(
        status__in=[Comment.Status.SPAM, Comment.Status.REJECTED],
        created_at__lt=cutoff,
    ).exclude(body="")
    return old.update(body="", body_html="")


def moderator_digest() -> int:
    """E-mail moderators the queue's size and its oldest item; return recipients."""
    waiting = selectors.queue()
    size = waiting.count()
    if size == 0:
        return 0
    oldest = waiting.order_by("created_at").select_related("article").first()
    recipients = list(
        User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=MODERATORS_GROUP),
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    age = timezone.now() - oldest.created_at
    body = (
        f"{size} comment(s) wait for a moderator.\n\n"
        f"The oldest, on “{oldest.article.title}”, has waited "
        f"{age.days} day(s) and {age.seconds // 3600} hour(s).\n\n"
        f"Work the queue: {settings.SITE_URL.rstrip('/')}"
        f"{reverse('admin:moderation_queueitem_changelist')}\n"
    )
    send_mail(
        subject=f"{settings.SITE_NAME}: {size} comment(s) to moderate",
        message=body,
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)
