"""Every write to accounts goes through here."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from knox.models import AuthToken

from core.exceptions import RateLimited
from core.tasks import enqueue_on_commit

from . import ratelimit, tasks
from .models import User
from .signals import account_erasing, public_name_changed
from .usernames import username_skeleton, validate_public_name

USERNAME_TAKEN = "That username is taken, or looks too much like one that is."
# Said only to whoever opens a sign-up link, which went to that address's owner.
EMAIL_HAS_ACCOUNT = (
    "This e-mail address already has an account; sign in, or reset its password."
)
SIGNUP_SALT = "accounts.signup"
SIGNUP_LINK_LIFETIME = timedelta(days=2)


def _signup_errors(user: User, password: str | None) -> dict[str, list[str]]:
    """Every sign-up rule at once, so the reader fixes everything in one go.

    Whether the e-mail address has an account is not among them: saying so
    would tell anyone whose address is registered here.
    """
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password", "username_skeleton"],
                        validate_unique=False, validate_constraints=False)  # fmt: skip
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if User.objects.filter(username_skeleton=username_skeleton(user.username)).exists():
        errors.setdefault("username", []).append(USERNAME_TAKEN)
    try:
        validate_public_name(user.display_name, exclude_user=user)
    except ValidationError as exc:
        errors.setdefault("display_name", []).extend(exc.messages)
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    return errors


def _unsaved_user(*, username: str, email: str, display_name: str) -> User:
    return User(username=username, email=email.strip().lower(),
                display_name=display_name.strip())  # fmt: skip


def _limit(scope: str, rate: str, *, address: str, email: str, doing: str) -> None:
    """Count one e-mail sent for `address` and to `email`; RateLimited when over."""
    wait = max(
        ratelimit.hit(f"{scope}-ip", address, rate),
        ratelimit.hit(f"{scope}-email", email.strip().lower(), rate),
    )
    if wait:
        raise RateLimited(wait, doing)


@transaction.atomic
def signup_request(
    *, username: str, email: str, password: str, display_name: str = "",
    address: str,
) -> None:  # fmt: skip
    """Check a sign-up and e-mail its address: the link that finishes it, or, when
    the address has an account already, a word to its owner instead.

    Answers alike either way (same checks, same work, no account yet), so nobody
    learns whether an address is registered. Raises ValidationError naming each
    field at fault, and RateLimited past `SIGNUP_RATE` per address or e-mail.
    """
    user = _unsaved_user(username=username, email=email, display_name=display_name)
    if errors := _signup_errors(user, password):
        raise ValidationError(errors)
    _limit("signup", settings.SIGNUP_RATE, address=address, email=user.email,
           doing="signing up")  # fmt: skip
    user.set_password(password)  # in both cases, so both take as long
    if User.objects.filter(email__iexact=user.email).exists():
        enqueue_on_commit(tasks.send_signup_attempt, user.email)
        return
    token = signing.dumps(
        {"u": user.username, "e": user.email, "d": user.display_name,
         "p": user.password},
        salt=SIGNUP_SALT, compress=True,
    )  # fmt: skip
    enqueue_on_commit(tasks.send_signup_link, user.email, token)


@transaction.atomic
def signup_confirm(*, token: str) -> User:
    """Create the account a sign-up link names, checking every rule again.

    Raises signing.BadSignature for a forged or expired link, ValidationError
    when the name or the address was taken since.
    """
    data = signing.loads(token, salt=SIGNUP_SALT, max_age=SIGNUP_LINK_LIFETIME)
    user = _unsaved_user(username=data["u"], email=data["e"], display_name=data["d"])
    user.password = data["p"]
    return _create(user, password=None)


@transaction.atomic
def user_register(
    *, username: str, email: str, password: str | None, display_name: str = ""
) -> User:
    """Create a reader account at once, checking every sign-up rule.

    For trusted callers (imports, tests); readers sign up through
    `signup_request`, which proves the address first. Raises ValidationError
    naming each field at fault (`password` for the password).
    """
    user = _unsaved_user(username=username, email=email, display_name=display_name)
    if password is None:
        user.set_unusable_password()
    return _create(user, password=password)


def _create(user: User, *, password: str | None) -> User:
    errors = _signup_errors(user, password)
    if User.objects.filter(email__iexact=user.email).exists():
        errors.setdefault("email", []).append(EMAIL_HAS_ACCOUNT)
    if errors:
        raise ValidationError(errors)
    if password is not None:
        user.set_password(password)
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


def password_reset_request(*, email: str, address: str) -> None:
    """Count one reset e-mail asked for; RateLimited past `PASSWORD_RESET_RATE`
    per address or per e-mail, counted alike for addresses with and without an
    account."""
    _limit("reset", settings.PASSWORD_RESET_RATE, address=address, email=email,
           doing="asking for password resets")  # fmt: skip


@transaction.atomic
def user_set_password(*, user: User, password: str | None) -> User:
    """Set a new password (None: unusable) and sign every device out.

    Every API token is revoked; every session but one that the caller keeps with
    `update_session_auth_hash` ends with the old password's hash. The owner is
    told by e-mail. Pages (change, reset) and the admin all call this.
    """
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    AuthToken.objects.filter(user=user).delete()
    enqueue_on_commit(tasks.send_password_changed, user.pk)
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    display_name: str,
    reply_emails: bool,
    decision_emails: bool | None = None,
) -> User:
    """Change what a reader shows as their name, and which e-mails they get.

    A new name sends `public_name_changed` once this commits, so the pages that
    show the old one are rebuilt. Raises ValidationError on `display_name` for a
    name that hides characters or passes for somebody else
    (`usernames.validate_public_name`).
    """
    # Against the stored name: a ModelForm may have set the new one already.
    stored = User.objects.filter(pk=user.pk).values_list("display_name", flat=True)
    renamed = display_name.strip() != stored.first()
    user.display_name = display_name.strip()
    user.reply_emails = reply_emails
    if decision_emails is not None:
        user.decision_emails = decision_emails
    user.full_clean(exclude=["password"])
    # A name is checked when it is chosen: one kept from before the rules (or
    # passed through unchanged, as an unsubscribe does) never blocks the rest.
    if renamed:
        try:
            validate_public_name(user.display_name, exclude_user=user)
        except ValidationError as exc:
            raise ValidationError({"display_name": exc.error_list}) from exc
    user.save(update_fields=["display_name", "display_name_skeleton", "reply_emails",
                             "decision_emails"])  # fmt: skip
    if renamed:
        announce_rename(user_id=user.pk)
    return user


def announce_rename(*, user_id: int) -> None:
    """Send `public_name_changed` once this commits: whoever saved a new name
    (a reader's profile, the admin) calls this."""
    # Robust: the new name is saved; a receiver failing to refresh a page is
    # logged, and the page's cache lifetime bounds how long it lags.
    transaction.on_commit(
        lambda: public_name_changed.send(sender=User, user_id=user_id), robust=True
    )


@dataclass(frozen=True)
class SignInAttempt:
    """A sign-in counted before its password is checked; `wait` > 0: refused."""

    counted: tuple[ratelimit.Taken, ...]
    wait: int


def sign_in_attempt(*, username: str, address: str) -> SignInAttempt:
    """Count a sign-in before its password is checked; say whether it may go on.

    Three counts, each taken first so concurrent guesses cannot share a slot
    (a refused attempt is given back: only checked passwords count):

    - this name from this address (`LOGIN_FAILURE_RATE`, the strictest): stops
      one address guessing one account;
    - this address, whatever the name (`LOGIN_FAILURE_RATE_PER_ADDRESS`): stops
      one address guessing many;
    - this name from anywhere (`LOGIN_FAILURE_RATE_PER_ACCOUNT`, looser): once
      over it, the account refuses only addresses that have themselves failed
      for it in the window, so guessers cannot lock its owner out.

    Names are counted by skeleton (look-alike spellings share a count), and
    names that exist and names that do not are counted and answered alike.
    """
    name = username_skeleton(username)
    pair, per_address, per_account = (
        ratelimit.take("login-pair", f"{name}\n{address}", settings.LOGIN_FAILURE_RATE),
        ratelimit.take("login-ip", address, settings.LOGIN_FAILURE_RATE_PER_ADDRESS),
        ratelimit.take("login-user", name, settings.LOGIN_FAILURE_RATE_PER_ACCOUNT),
    )
    has_failed_here = pair.count > 1
    wait = max(pair.wait, per_address.wait, per_account.wait if has_failed_here else 0)
    counted = (pair, per_address, per_account)
    if wait:
        _give_back(counted)
    return SignInAttempt(counted=counted, wait=wait)


def sign_in_succeeded(*, attempt: SignInAttempt) -> None:
    """Uncount an attempt whose password was right: only failures use the allowance."""
    _give_back(attempt.counted)


def _give_back(counted: tuple[ratelimit.Taken, ...]) -> None:
    for taken in counted:
        ratelimit.give_back(taken)


# What an erased account shows beside the comments it leaves in their threads.
ERASED_NAME = "Deleted account"
PASSWORD_NEEDED = "Enter your password to delete your account."  # noqa: S105 (a message)
PASSWORD_WRONG = "That is not your password; your account is unchanged."  # noqa: S105


def erased_username(pk: int) -> str:
    """The name an erased account keeps: no reader can choose it (":" is refused
    in usernames), so it never collides and never passes for anyone."""
    return f"erased:{pk}"


def is_erased(user: User) -> bool:
    return user.username == erased_username(user.pk)


def _anonymise(user: User) -> None:
    user.username = erased_username(user.pk)
    # Unique like every address, and one no sign-up can give (no dot after @).
    user.email = f"erased-{user.pk}@invalid"
    user.first_name = user.last_name = ""
    user.display_name = ERASED_NAME
    user.set_unusable_password()  # also ends every session: its hash changed
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.reply_emails = user.decision_emails = False
    # A ban's words may name the reader; whether a ban stands stays on record.
    user.ban_reason = ""
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


@transaction.atomic
def user_erase(*, user: User, erased_by: User) -> bool:
    """Erase an account and what the site holds on it; False if it already was.

    The row stays, anonymised, so the audit log's references to it (its own
    decisions as a moderator, bans of it) keep pointing at one account; its
    names, address and password are gone and it can never sign in again. Every
    token is revoked; then each app erases what it owns (`account_erasing`:
    comment bodies, votes, follows, flags...). All in one transaction: a
    failure anywhere leaves the account as it was.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if is_erased(user):
        return False
    _anonymise(user)
    AuthToken.objects.filter(user=user).delete()
    # The reader erasing themselves is audited under their anonymised name.
    erased_by = user if erased_by.pk == user.pk else erased_by
    account_erasing.send(sender=User, user=user, erased_by=erased_by)
    return True


def user_erase_own(*, user: User, password: str | None, address: str) -> None:
    """The signed-in reader erases their own account, proving it with their
    password (see `user_erase`).

    Raises ValidationError on `password` when it is missing or wrong, and
    RateLimited when wrong passwords came too fast: the tries count against
    the same limits as signing in, so this is no side door for guessing.
    """
    if not password:
        needed = ValidationError(PASSWORD_NEEDED, code="required")
        raise ValidationError({"password": needed})
    attempt = sign_in_attempt(username=user.username, address=address)
    if attempt.wait:
        raise RateLimited(attempt.wait, "trying passwords")
    if not user.check_password(password):
        wrong = ValidationError(PASSWORD_WRONG, code="invalid")
        raise ValidationError({"password": wrong})
    sign_in_succeeded(attempt=attempt)
    user_erase(user=user, erased_by=user)
