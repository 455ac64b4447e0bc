"""Accounts: the reader, editor and moderator behind every signed-in request."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .usernames import (
    UsernameValidator,
    display_name_skeleton,
    normalise_username,
    username_skeleton,
)

EDITORS_GROUP = "Editors"
MODERATORS_GROUP = "Moderators"


class AgoraUserManager(UserManager):
    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # The whole address is compared case-insensitively, so store it lower-case.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str) -> "User":
        # Sign-in ignores case: "Rosa" and "rosa" are one account (the skeleton
        # makes them unique), so a reader need not remember how they typed it.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A signed-in person: reader, editor (staff in Editors) or moderator."""

    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text="Up to 150 letters, digits and . @ + - _ only.",
        validators=[UsernameValidator()],
        error_messages={"unique": "That username is taken."},
    )
    # Unique look-alike form of the username: "Admin", "admin" written with a
    # Cyrillic a, and "admin" in fullwidth letters all have the skeleton "admin",
    # so only one of them can exist.
    username_skeleton = models.CharField(max_length=150, unique=True, editable=False)
    email = models.EmailField("e-mail address")
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="The name shown beside your comments; your username if empty.",
    )
    # The display name's look-alike form, so no reader can take another's name.
    display_name_skeleton = models.CharField(
        max_length=240, blank=True, editable=False, db_index=True
    )
    reply_emails = models.BooleanField("e-mail me replies to my comments", default=True)
    decision_emails = models.BooleanField(
        "e-mail me when a comment of mine is held, rejected or appealed",
        default=True,
    )

    # Ban state lives on the account so posting can refuse a banned reader without
    # importing moderation; moderation's services set it and log it.
    banned_until = models.DateTimeField(null=True, blank=True)
    ban_is_permanent = models.BooleanField(default=False)
    ban_is_shadow = models.BooleanField(
        default=False,
        help_text="A shadow ban lets the reader post but shows their comments to "
        "nobody else.",
    )
    ban_reason = models.TextField(blank=True)

    objects = AgoraUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message="An account with this e-mail already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def save(self, *args, **kwargs) -> None:
        # Keep the stored forms canonical however the row was written (admin,
        # createsuperuser, fixtures, imports).
        self.username = normalise_username(self.username)
        self.username_skeleton = username_skeleton(self.username)
        self.display_name_skeleton = display_name_skeleton(self.display_name)
        self.email = AgoraUserManager.normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    @property
    def has_active_ban(self) -> bool:
        return self.ban_is_permanent or bool(
            self.banned_until and self.banned_until > timezone.now()
        )

    @property
    def is_banned(self) -> bool:
        """True when a visible ban stops this account from posting."""
        return self.has_active_ban and not self.ban_is_shadow

    @property
    def is_shadow_banned(self) -> bool:
        """True when this account posts but nobody else sees what it posts."""
        return self.has_active_ban and self.ban_is_shadow

    def _in_group(self, name: str) -> bool:
        if self.is_superuser:
            return True
        if not self.is_active:
            return False
        return any(g.name == name for g in self.groups.all())

    @property
    def is_editor(self) -> bool:
        return self.is_staff and self._in_group(EDITORS_GROUP)

    @property
    def is_moderator(self) -> bool:
        return self._in_group(MODERATORS_GROUP)
