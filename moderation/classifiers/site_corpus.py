"""The toxicity model learns from the moderators.

A moderator approving a comment the machine held, or rejecting one it had
approved, adds the comment to the site corpus (ToxicityExample), labelled by
that decision. `refit()` fits the model on the repository's training split and
the site corpus together, stores it (ToxicityArtefact) for every process to
load, and has this process score with it at once.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from comments.models import Comment

from . import _loaded, learned

logger = logging.getLogger(__name__)

PUBLISHED = "moderation:toxicity:published"  # the newest fitted model's version

# What an override teaches: the decision, the status it overrode, the label.
OVERRIDES = {
    "approve": (Comment.Status.HELD, Comment.Status.APPROVED, "civil"),
    "reject": (Comment.Status.APPROVED, Comment.Status.REJECTED, "abusive"),
}


def learn_from_override(*, comment_id: int, action: str):
    """Add a comment to the site corpus if a moderator's `action` overrode the
    machine and still stands; return the example, or None."""
    from moderation.models import AuditEntry, ToxicityExample

    if action not in OVERRIDES:
        return None
    was, now, label = OVERRIDES[action]
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or comment.is_deleted or comment.status != now:
        return None  # deleted, or the decision was taken back or changed since
    entry = (
        AuditEntry.objects.filter(comment=comment, action=action)
        .exclude(actor=None)
        .order_by("-pk")
        .first()
    )
    if entry is None or entry.before != was:
        return None
    example, _ = ToxicityExample.objects.update_or_create(
        comment=comment,
        defaults={"text": comment.body, "label": label, "moderator_id": entry.actor_id},
    )
    return example


def site_rows() -> list[dict]:
    """The site corpus as rows like the repository's (each its own fold group)."""
    from moderation.models import ToxicityExample

    return [
        {"text": text, "label": label, "category": "site", "template": f"site-{pk}"}
        for pk, text, label in ToxicityExample.objects.order_by("pk").values_list(
            "pk", "text", "label"
        )
    ]


def refit() -> tuple[learned.Model, int]:
    """Fit on both corpora, store the model and use it in this process; return it
    and how many site examples it learned from. With no site example, the
    committed artefact is the model."""
    from moderation.models import ToxicityArtefact

    site = site_rows()
    if not site:
        # Nothing left to learn from (the examples erased with their accounts,
        # say): no stored model, fitted on them, may serve any more.
        model = learned.load()
        ToxicityArtefact.objects.all().delete()
        _publish(model.version)
    else:
        corpus = learned.load_corpus("train")
        model = learned.train(corpus + site, version=learned.corpus_version(site))
        ToxicityArtefact.objects.get_or_create(
            version=model.version,
            defaults={
                "code_version": learned.code_version(),
                "data": learned.dumps(model),
                "corpus_rows": len(corpus),
                "site_rows": len(site),
            },
        )
        _publish(model.version)
    for path in settings.MODERATION_CLASSIFIERS:
        if hasattr(classifier := _loaded(path), "use_model"):
            classifier.use_model(model)
    return model, len(site)


def _publish(version: str) -> None:
    def send() -> None:
        try:
            cache.set(PUBLISHED, version, timeout=None)
        except Exception:
            logger.warning("cache unreachable; other processes keep their model")

    transaction.on_commit(send)


def newest_model() -> learned.Model | None:
    """The newest stored model fitted by this code, or None (then the committed
    artefact serves)."""
    from moderation.models import ToxicityArtefact

    try:
        data = (
            ToxicityArtefact.objects.filter(code_version=learned.code_version())
            .values_list("data", flat=True)
            .first()
        )
    except Exception:  # no database here (yet): the committed artefact serves
        logger.info("no stored toxicity model read; the committed one serves")
        return None
    return learned.loads(bytes(data)) if data is not None else None
