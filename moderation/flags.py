"""How much a reader's flag counts: the one home of flag weighting.

A flag from a trusted flagger holds a comment at once. Flags from accounts
younger than MODERATION_FLAG_MIN_ACCOUNT_AGE days count a quarter, and those of
a reader whose flags moderators mostly turned down count half, so a handful of
fresh sock puppets or a habitual reporter cannot hide a comment alone. A
shadow-banned reader's flags count nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from comments import rights

from .models import Flag, TrustedFlagger

TRUSTED = float("inf")
NEW_ACCOUNT = 0.25
POOR_RECORD = 0.5
RECORD_AFTER = 3  # decided flags before a reader's record counts


def weight_of(user: User) -> float:
    """What a new flag by `user` counts toward MODERATION_FLAGS_TO_HOLD."""
    if not rights.counts_for_others(user):
        return 0.0
    if TrustedFlagger.objects.filter(user=user).exists():
        return TRUSTED
    weight = 1.0
    age = timedelta(days=settings.MODERATION_FLAG_MIN_ACCOUNT_AGE)
    if timezone.now() - user.date_joined < age:
        weight = min(weight, NEW_ACCOUNT)
    record = Flag.objects.filter(user=user, upheld__isnull=False).aggregate(
        total=Count("pk"), upheld=Count("pk", filter=Q(upheld=True))
    )
    total = record["total"]
    if total >= RECORD_AFTER and record["upheld"] * 2 < total:
        weight = min(weight, POOR_RECORD)
    return weight


def holds(weights: list[float], threshold: float | None = None) -> bool:
    """Whether open flags of these weights hold the comment for a moderator:
    `threshold` is the discussion's own (its policy bundle's), else the site's."""
    if threshold is None:
        threshold = settings.MODERATION_FLAGS_TO_HOLD
    return sum(weights) >= threshold
