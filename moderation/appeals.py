"""Authors' appeals of decisions on their comments, decided by a person other
than the one who made the decision (the machine's by any moderator)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from comments import rights
from comments.models import Comment
from comments.services import comment_note_appeal, comment_set_status
from core.exceptions import Conflict

from .models import Action, Appeal, AuditEntry, DecisionNotice
from .services import audit, statement, tell_author


class AppealDecided(Conflict):
    """Another moderator decided the appeal a moment ago."""


class AlreadyAppealed(Conflict):
    """The author has appealed this decision before."""


@transaction.atomic
def appeal_file(*, comment: Comment, user: User, note: str = "") -> Appeal:
    """The author objects to the decision on their comment, within the window."""
    comment = Comment.objects.select_for_update(of=("self",)).get(pk=comment.pk)
    if refusal := rights.appeal_refusal(comment, user):
        raise refusal
    decision = comment.decision
    decided_at = datetime.fromisoformat(decision["decided_at"])
    made = (
        AuditEntry.objects.filter(comment=comment, action__in=Action.values)
        .order_by("-created_at", "-pk")
        .first()
    )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                comment=comment,
                author=user,
                decided_at=decided_at,
                action=decision["action"],
                decided_by_id=made.actor_id if made else None,
                note=note.strip()[:2000],
            )
    except IntegrityError as exc:
        raise AlreadyAppealed("You have already appealed this decision.") from exc
    comment_note_appeal(comment_id=comment.pk, appeal=appeal.as_json())
    audit(
        comment=comment,
        actor=user,
        action="appeal",
        reasons=[f"The author appealed the {appeal.action} decision."],
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, moderator: User, outcome: str, reason: str = ""
) -> Appeal:
    """A moderator other than the one who decided upholds or reverses it."""
    if not moderator.is_moderator:
        raise PermissionDenied("Only moderators decide appeals.")
    if outcome not in Appeal.Outcome.values:
        raise ValidationError({"outcome": "Choose uphold or reverse."})
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.decided_by_id == moderator.pk:
        raise PermissionDenied(
            "You made the decision appealed; another moderator must review it."
        )
    if appeal.status != Appeal.Status.OPEN:
        raise AppealDecided("This appeal has been decided already.")
    reason = reason.strip() or (
        "On review, the comment is published."
        if outcome == Appeal.Outcome.REVERSE
        else "On review, the decision stands."
    )
    appeal.status, appeal.outcome, appeal.reason = (
        Appeal.Status.DECIDED,
        outcome,
        reason,
    )
    appeal.moderator, appeal.resolved_at = moderator, timezone.now()
    appeal.save(
        update_fields=["status", "outcome", "reason", "moderator", "resolved_at"]
    )
    comment = appeal.comment
    if outcome == Appeal.Outcome.REVERSE:
        before = comment.status
        decision = statement(
            action=Action.APPROVE,
            automated=False,
            reasons=[reason],
            policy=comment.article.discussion_policy,
        )
        comment_set_status(
            comment_id=comment.pk,
            status=Comment.Status.APPROVED,
            decision={**decision, "appeal": appeal.as_json()},
        )
        audit(
            comment=comment,
            actor=moderator,
            action=Action.APPROVE,
            reasons=[f"Appeal reversed: {reason}"],
            before=before,
            after=Comment.Status.APPROVED,
        )
    else:
        comment_note_appeal(comment_id=comment.pk, appeal=appeal.as_json())
        audit(
            comment=comment,
            actor=moderator,
            action="appeal_upheld",
            reasons=[f"Appeal upheld: {reason}"],
        )
    tell_author(comment.pk, DecisionNotice.Kind.APPEAL)
    return appeal
