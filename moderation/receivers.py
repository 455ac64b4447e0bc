"""Moderation's receivers: new comments to decide, decisions to learn from, and
its part of a reader's export and erasure (accounts.signals)."""

import logging

from django.conf import settings
from django.dispatch import receiver

from accounts.models import User
from accounts.signals import account_erasing, account_exporting
from comments.signals import comment_posted
from core.tasks import enqueue, enqueue_on_commit

from .models import Action, Appeal, Flag, ToxicityExample, TrustedFlagger
from .services import audit
from .signals import author_to_be_told, comment_decided
from .tasks import learn_spam, learn_toxicity, moderate_comment, send_decision_notice

logger = logging.getLogger(__name__)


@receiver(comment_posted, dispatch_uid="moderation.enqueue_moderation")
def enqueue_moderation(sender, comment_id: int, revision: int, **kwargs) -> None:
    """Queue the decision; with the broker down the comment waits as pending."""
    enqueue(moderate_comment, comment_id, revision)


@receiver(comment_decided, dispatch_uid="moderation.learn_from_moderators")
def learn_from_moderators(sender, comment_id: int, action: Action, **kwargs) -> None:
    """A moderator's approve or spam mark teaches the spam model; an approve or
    reject that overrode the machine, once it can no longer be taken back, joins
    the toxicity model's site corpus."""
    if action in (Action.APPROVE, Action.SPAM):
        enqueue_on_commit(learn_spam, comment_id, action == Action.SPAM)
    if action in (Action.APPROVE, Action.REJECT):
        enqueue(
            learn_toxicity,
            comment_id,
            action.value,
            countdown=settings.MODERATION_UNDO_SECONDS,
        )


@receiver(author_to_be_told, dispatch_uid="moderation.tell_the_author")
def tell_the_author(
    sender, comment_id: int, kind: str, countdown: int = 0, **kwargs
) -> None:
    """Queue the e-mail to the comment's author; it is recorded before it is sent."""
    enqueue(send_decision_notice, comment_id, kind, countdown=countdown)


@receiver(account_exporting, dispatch_uid="moderation.export_reader")
def export_reader(sender, user: User, **kwargs) -> dict[str, list[dict]]:
    """The reader's flags and appeals: two queries. A flag's weight and whether
    it counted stay out: they would tell a shadow-banned reader of the ban."""
    flags = Flag.objects.filter(user=user).order_by("created_at", "pk")
    appeals = Appeal.objects.filter(author=user).order_by("created_at", "pk")
    return {
        "flags": [
            {"comment": f.comment_id, "reason": f.reason, "note": f.note,
             "created_at": f.created_at, "resolved_at": f.resolved_at,
             "upheld": f.upheld}
            for f in flags.only("comment_id", "reason", "note", "created_at",
                                "resolved_at", "upheld")
        ],
        "appeals": [
            {"comment": a.comment_id, "decision": a.action, "note": a.note,
             "status": a.status, "outcome": a.outcome or None,
             "reason": a.reason, "created_at": a.created_at,
             "resolved_at": a.resolved_at}
            for a in appeals.only("comment_id", "action", "note", "status",
                                  "outcome", "reason", "created_at",
                                  "resolved_at")
        ],
    }  # fmt: skip


@receiver(account_erasing, dispatch_uid="moderation.erase_reader")
def erase_reader(sender, user: User, erased_by: User, **kwargs) -> None:
    """Flags and trust removed, appeals unlinked and their notes erased, and the
    erasure written to the audit log (whose rows stay as they were)."""
    Flag.objects.filter(user=user).delete()
    ToxicityExample.objects.filter(comment__author=user).delete()
    TrustedFlagger.objects.filter(user=user).delete()
    Appeal.objects.filter(author=user).update(author=None, note="")
    by_owner = erased_by.pk == user.pk
    audit(
        comment=None,
        actor=erased_by,
        subject_user=user,
        action="erase",
        reasons=[
            f"Account {user.pk} erased "
            + ("at its owner's request." if by_owner else "by an administrator.")
        ],
    )
