"""Moderation's Celery tasks: thin wrappers that call one service each."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError

from comments.models import Comment
from core.tasks import requeue_once

from . import notices, selectors, services, surge
from .classifiers import ClassifierUnavailable, site_corpus, spam

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, BrokerError),
    retry_backoff=True,
    max_retries=5,
)
def moderate_comment(self, comment_id: int, revision: int | None = None) -> None:
    """Run the article's moderation policy on one comment revision, once."""
    try:
        services.comment_moderate(comment_id=comment_id, revision=revision)
    except (ClassifierUnavailable, SoftTimeLimitExceeded) as exc:
        if self.request.retries >= settings.MODERATION_CLASSIFIER_RETRIES:
            # Never approve blind: after the retries a person decides.
            revision = revision or Comment.objects.get(pk=comment_id).revision
            services.comment_hold_unscored(
                comment_id=comment_id, revision=revision, why=str(exc)
            )
            return
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def learn_spam(comment_id: int, is_spam: bool) -> None:
    """Teach the spam model a moderator's decision on one comment."""
    body = Comment.objects.filter(pk=comment_id).values_list("body", flat=True).first()
    if body:
        spam.learn(text=body, is_spam=is_spam)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def learn_toxicity(comment_id: int, action: str) -> bool:
    """Add a comment to the toxicity site corpus if the moderator's decision
    overrode the machine and still stands."""
    return (
        site_corpus.learn_from_override(comment_id=comment_id, action=action)
        is not None
    )


@shared_task(acks_late=True)
def retrain_toxicity() -> str:
    """Refit the toxicity model on both corpora (weekly, when switched on)."""
    model, site = site_corpus.refit()
    logger.info("toxicity model %s fitted with %d site examples", model.version, site)
    return model.version


RECONCILE = "moderation:reconcile"
RECONCILING = f"{RECONCILE}:running"  # held while a run is under way


@shared_task(acks_late=True)
def reconcile_pending() -> int:
    """Re-enqueue the moderation a broker outage or a lost message left undone:
    each comment revision once per MODERATION_RECONCILE_AFTER."""
    sent = requeue_once(
        job=RECONCILE,
        task=moderate_comment,
        find=lambda: selectors.pending_too_long(
            older_than=settings.MODERATION_RECONCILE_AFTER
        ),
        patience=settings.MODERATION_RECONCILE_AFTER,
        run_limit=settings.CELERY_TASK_TIME_LIMIT,
    )
    if sent:
        logger.warning("re-enqueued %d pending comment(s)", sent)
    return sent


@shared_task(acks_late=True)
def purge_old_comments() -> int:
    """Erase the text of spam and rejected comments past the keeping period."""
    return services.purge_old_bodies(older_than=settings.MODERATION_PURGE_AFTER)


@shared_task(acks_late=True)
def send_moderator_digest() -> int:
    """E-mail moderators how many comments wait, and for how long."""
    return services.moderator_digest()


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True)
def send_decision_notice(comment_id: int, kind: str) -> bool:
    """E-mail a comment's author about its decision (once per decision and kind)."""
    return notices.decision_notice(comment_id=comment_id, kind=kind)


@shared_task(acks_late=True)
def notify_long_holds() -> int:
    """Tell authors whose comment has waited past MODERATION_HOLD_NOTICE_MINUTES."""
    held = notices.long_holds()
    for comment_id in held:
        send_decision_notice.delay(comment_id, notices.Kind.HELD)
    return len(held)


@shared_task(acks_late=True)
def check_surges() -> dict:
    """Switch surge mode on for articles that just got busy, off for calm ones."""
    checked = surge.check_surges()
    if checked.started or checked.ended:
        logger.info("surge mode: %d started, %d ended", checked.started, checked.ended)
    return {"started": checked.started, "ended": checked.ended}
