"""Every write to accounts goes through here."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import User


@transaction.atomic
def user_register(
    *, username: str, email: str, password: str | None, display_name: str = ""
) -> User:
    """Create a reader account after checking every rule the model knows."""
    user = User(username=username, email=email, display_name=display_name.strip())
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        # A savepoint so a race lost to the unique indexes leaves the outer
        # transaction usable for the caller.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError(
            "That username or e-mail address was taken a moment ago; pick another."
        ) from exc
    return user


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, reply_emails: bool) -> User:
    """Change what a reader shows as their name and whether replies are e-mailed."""
    user.display_name = display_name.strip()
    user.reply_emails = reply_emails
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "reply_emails"])
    return user
