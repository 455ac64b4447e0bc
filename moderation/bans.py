"""Bans: an account's (temporary or permanent, visible or shadow) and a guest
address's, each audited."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from comments.models import Comment

from .models import GuestBan
from .services import audit


def ban_text(user: User) -> str:
    """The account's current ban in words ("banned until …"), "" for none."""
    if not user.has_active_ban:
        return ""
    kind = "shadow-banned" if user.ban_is_shadow else "banned"
    if user.ban_is_permanent:
        return f"{kind} permanently"
    return f"{kind} until {user.banned_until:%Y-%m-%d %H:%M} UTC"


# The lengths a moderator picks a ban from: the form's value, its label, and
# its days (None: for good).
BAN_LENGTHS = [("1", "1 day", 1), ("7", "7 days", 7), ("30", "30 days", 30),
               ("forever", "Permanently", None)]  # fmt: skip
BAN_DAYS = {value: days for value, _, days in BAN_LENGTHS}
BAN_CHOICES = [(value, label) for value, label, _ in BAN_LENGTHS]


def ban_until(days: int | None) -> datetime | None:
    """When a ban of `days` from now ends; None for good."""
    return timezone.now() + timedelta(days=days) if days else None


@transaction.atomic
def user_ban(
    *,
    user: User,
    moderator: User,
    reason: str,
    until: datetime | None = None,
    shadow: bool = False,
    comment: Comment | None = None,
) -> User:
    """Ban an account until a time, or for good when `until` is None."""
    if not moderator.is_moderator:
        raise PermissionDenied("Only moderators ban readers.")
    if user.is_moderator:
        raise PermissionDenied("Moderators cannot be banned here.")
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": "A ban must end in the future."})
    set_ban(
        user, until=until, permanent=until is None, shadow=shadow, reason=reason.strip()
    )
    audit(
        comment=comment,
        actor=moderator,
        subject_user=user,
        action="ban",
        reasons=[f"{user.username} {ban_text(user)}: {reason or 'no reason given'}"],
        after="shadow-banned" if shadow else "banned",
    )
    return user


def set_ban(user: User, *, until, permanent: bool, shadow: bool, reason: str) -> None:
    user.banned_until, user.ban_is_permanent = until, permanent
    user.ban_is_shadow, user.ban_reason = shadow, reason
    user.save(
        update_fields=[
            "banned_until",
            "ban_is_permanent",
            "ban_is_shadow",
            "ban_reason",
        ]
    )


@transaction.atomic
def user_unban(*, user: User, moderator: User) -> User:
    """Lift an account's ban."""
    if not moderator.is_moderator:
        raise PermissionDenied("Only moderators lift bans.")
    set_ban(user, until=None, permanent=False, shadow=False, reason="")
    audit(
        comment=None,
        actor=moderator,
        subject_user=user,
        action="unban",
        reasons=[f"Ban on {user.username} lifted."],
        before="banned",
    )
    return user


@transaction.atomic
def guest_ban(*, email: str, moderator: User, reason: str = "") -> GuestBan:
    """Reject every future comment from a guest e-mail address."""
    if not moderator.is_moderator:
        raise PermissionDenied("Only moderators ban guest addresses.")
    ban, _ = GuestBan.objects.get_or_create(
        email=email.strip().lower(), defaults={"reason": reason}
    )
    audit(
        comment=None,
        actor=moderator,
        action="guest_ban",
        reasons=[f"Guest address {ban.email} banned: {reason or 'no reason given'}"],
    )
    return ban
