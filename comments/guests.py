"""Guests' e-mail addresses: a link proves the guest reads the address they gave.

Posting as a guest records the address and, at most once an hour while it is
unconfirmed, e-mails a signed link. Opening the link and pressing the button
confirms it (a button, not the bare link: mail scanners open links).

The same e-mail carries a second signed link, lasting as long as an appeal may
be made: a page of that address's comments, each with where it stands and the
decision on it in words, as a reader with an account reads on their own pages.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Comment, GuestAddress
from .notifications import one_line

CONFIRM_SALT = "comments.guest-confirm"
STATEMENTS_SALT = "comments.guest-statements"
LINK_LIFETIME = timedelta(days=7)
RESEND_AFTER = timedelta(hours=1)


def _email_token(email: str, salt: str) -> str:
    return signing.dumps({"e": email}, salt=salt)


def _read_email_token(token: str, salt: str, max_age: timedelta, kind: str) -> str:
    """The address a token of `salt` names; signing.SignatureExpired when too
    old, signing.BadSignature when forged or made for something else."""
    data = signing.loads(token, salt=salt, max_age=max_age)
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise signing.BadSignature(f"not a {kind} token")
    return data["e"]


def _absolute(name: str, token: str) -> str:
    """The address of the page `name` for `token`, for an e-mail."""
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[token])


def confirmation_token(email: str) -> str:
    return _email_token(email, CONFIRM_SALT)


def read_confirmation_token(token: str) -> str:
    """The address a token names; signing.BadSignature when forged or expired."""
    return _read_email_token(token, CONFIRM_SALT, LINK_LIFETIME, "confirmation")


def statements_lifetime() -> timedelta:
    """How long a link to a guest's decisions works: as long as an appeal may
    be made against a decision taken the day it was sent."""
    return timedelta(days=settings.MODERATION_APPEAL_DAYS)


def statements_token(email: str) -> str:
    return _email_token(email.strip().lower(), STATEMENTS_SALT)


def read_statements_token(token: str) -> str:
    """The address a statements token names; signing.SignatureExpired when too
    old, signing.BadSignature when forged or made for something else."""
    return _read_email_token(
        token, STATEMENTS_SALT, statements_lifetime(), "statements"
    )


def statements_link(email: str) -> str:
    """The address, for an e-mail, of the page of `email`'s comments and the
    decisions on them."""
    return _absolute("comments:guest-comments", statements_token(email))


def statements_paragraph(email: str) -> str:
    """The lines an e-mail to a guest carries to give them that page."""
    return render_to_string(
        "comments/email/_guest_statements.txt",
        {"link": statements_link(email), "days": statements_lifetime().days},
    )


def comments_of(email: str) -> QuerySet[Comment]:
    """A guest address's comments, newest first, those they deleted left out."""
    return (
        Comment.objects.filter(
            author__isnull=True, guest_email=email, deleted_at__isnull=True
        )
        .select_related("article")
        .order_by("-id")
    )


def needs_confirmation(*, email: str) -> bool:
    """Note a guest's address; True when its owner should be asked (again) to
    confirm it: unconfirmed, and not asked within RESEND_AFTER."""
    address, _ = GuestAddress.objects.get_or_create(email=email)
    if address.is_confirmed:
        return False
    now = timezone.now()
    sent = address.confirmation_sent_at
    if sent is not None and now - sent < RESEND_AFTER:
        return False
    GuestAddress.objects.filter(pk=address.pk).update(confirmation_sent_at=now)
    return True


def send_confirmation(*, email: str) -> None:
    """E-mail the confirmation link to an address that is still unconfirmed."""
    if GuestAddress.objects.filter(email=email, confirmed_at__isnull=False).exists():
        return
    link = _absolute("comments:guest-confirm", confirmation_token(email))
    body = (
        render_to_string(
            "comments/email/guest_confirm.txt",
            {"link": link, "site_name": settings.SITE_NAME, "days": LINK_LIFETIME.days},
        )
        + "\n"
        + statements_paragraph(email)
    )
    send_mail(
        subject=one_line(f"{settings.SITE_NAME}: confirm your e-mail address"),
        message=body,
        from_email=None,
        recipient_list=[email],
    )


@transaction.atomic
def guest_confirm(*, token: str) -> GuestAddress:
    """Confirm the address a link names; raises signing.BadSignature if forged."""
    email = read_confirmation_token(token)
    address, _ = GuestAddress.objects.select_for_update().get_or_create(email=email)
    if address.confirmed_at is None:
        address.confirmed_at = timezone.now()
        address.save(update_fields=["confirmed_at"])
    return address
