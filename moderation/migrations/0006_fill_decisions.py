"""Give comments decided before statements of reasons existed their decision,
from the audit log (the record of every decision)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations

DECISIONS = ("approve", "hold", "reject", "spam")


def fill_decisions(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    AuditEntry = apps.get_model("moderation", "AuditEntry")
    window = timedelta(days=getattr(settings, "MODERATION_APPEAL_DAYS", 183))
    undecided = Comment.objects.filter(decision__isnull=True).exclude(
        status="pending"
    )
    changed = []
    for comment in undecided.select_related("article").iterator(chunk_size=1000):
        entry = (
            AuditEntry.objects.filter(comment_id=comment.pk, action__in=DECISIONS)
            .order_by("-created_at", "-pk")
            .first()
        )
        if entry is None:
            continue  # imported or seeded: no decision was made here
        comment.decision = {
            "action": entry.action,
            "automated": entry.actor_id is None,
            "reasons": list(entry.reasons),
            "policy": comment.article.discussion_policy,
            "decided_at": entry.created_at.isoformat(),
            "appealable_until": (
                None
                if entry.action == "approve"
                else (entry.created_at + window).isoformat()
            ),
            "appeal": None,
        }
        changed.append(comment)
        if len(changed) == 1000:
            Comment.objects.bulk_update(changed, ["decision"])
            changed = []
    Comment.objects.bulk_update(changed, ["decision"])


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_comment_decision"),
        ("moderation", "0005_appeal"),
    ]

    operations = [migrations.RunPython(fill_decisions, migrations.RunPython.noop)]
