"""A reader's own data: everything the site holds on them, in one export, and
how long it keeps the addresses their requests came from.

The apps above accounts hold most of it (comments, votes, flags...), so both
ask them through `accounts.signals`; see that module for the contract.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from .models import User
from .signals import account_exporting, addresses_expiring


def _profile(user: User) -> dict:
    # A shadow ban is never told to the reader it concerns (the site shows
    # them their comments as published), so only a visible ban is exported.
    ban = None
    if user.is_banned:
        ban = {"until": user.banned_until, "permanent": user.ban_is_permanent,
               "reason": user.ban_reason}  # fmt: skip
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "reply_emails": user.reply_emails,
        "decision_emails": user.decision_emails,
        "ban": ban,
    }


def _tokens(user: User) -> list[dict]:
    """One row per signed-in device: never the token, its digest or its prefix."""
    ttl = knox_settings.TOKEN_TTL
    renewed = knox_settings.AUTO_REFRESH and ttl is not None
    rows = AuthToken.objects.filter(user=user).order_by("created")
    return [
        {
            "created": created,
            "expires": expiry,
            # A token is renewed to a full lifetime as it is used, so its
            # expiry tells when it was last used (to within a minute).
            "last_used": expiry - ttl if renewed and expiry else None,
        }
        for created, expiry in rows.values_list("created", "expiry")
    ]


def reader_data(*, user: User) -> dict:
    """Everything the site holds on `user`, as JSON-ready sections by name.

    Reads a fixed number of queries however much the reader wrote: each
    section is read in one or two.
    """
    data = {"profile": _profile(user), "tokens": _tokens(user)}
    for receiver, sections in account_exporting.send(sender=User, user=user):
        for name, rows in (sections or {}).items():
            if name in data:
                raise ValueError(f"{receiver!r} exports {name!r}, already exported")
            data[name] = rows
    return data


@transaction.atomic
def addresses_erase_old() -> int:
    """Erase every stored client address older than `PRIVACY_ADDRESS_DAYS`;
    return how many rows were cleared. Safe to run twice."""
    before = timezone.now() - timedelta(days=settings.PRIVACY_ADDRESS_DAYS)
    answers = addresses_expiring.send(sender=User, before=before)
    return sum(count or 0 for _, count in answers)
