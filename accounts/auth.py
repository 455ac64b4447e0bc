"""API tokens and signed-in accounts checked against a short-lived cache,
revoked at once.

Knox looks a token up in the database on every request (the token, then the
account's other tokens for expired ones). Here a token that checked out is
remembered in the cache for `API_TOKEN_CACHE_SECONDS`, keyed by its digest, so
a request with it costs no query. Each entry carries the account's
*generation*, a random value kept in the cache beside it; the entry counts only
while the two match. Every revocation moves the generation, at once and again
after its transaction commits:

- a token deleted, however (sign-out, sign out everywhere, a password change,
  an erasure, the admin, knox's own clean-up of expired tokens);
- the account saved, however (a ban, a password, `is_active`, an erasure);
- the account's groups changed (the entry holds them, so that asking whether
  the reader moderates costs no query).

A miss learns the account from the token's key, reads the generation, and only
then asks knox: a revocation that commits while the lookup runs moves the
generation after it was read, so the entry stored is already useless. An
entry also keeps the token's expiry and is refused past it. Each process also
keeps its own copies of the entries it read lately, which saves reading the
entry but never the generation: that is read from the shared cache at every
request, so a revocation anywhere counts everywhere at once. Without a cache
(unreachable) every request takes knox's database path. Tokens are read from
the primary database, never from a replica.

The receivers are connected when this module is imported, which
AccountsConfig.ready() does in every process.
"""

import binascii
import logging
import pickle
import secrets
import threading
import time
from collections import OrderedDict
from datetime import datetime

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from core import db

from .models import User

logger = logging.getLogger(__name__)

INVALID = "Invalid token."


def _entry_key(digest: str) -> str:
    return f"auth:token:{digest}"


def _generation_key(user_id: int) -> str:
    return f"auth:generation:{user_id}"


def _cache_seconds() -> int:
    return settings.API_TOKEN_CACHE_SECONDS


def renewed_expiry(token: AuthToken) -> datetime:
    """The expiry knox's AUTO_REFRESH would give `token` now (capped by
    AUTO_REFRESH_MAX_TTL)."""
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    if knox_settings.AUTO_REFRESH_MAX_TTL is not None:
        expiry = min(expiry, token.created + knox_settings.AUTO_REFRESH_MAX_TTL)
    return expiry


def _needs_renewal(token: AuthToken) -> datetime | None:
    """The new expiry when it is due (at most once per MIN_REFRESH_INTERVAL)."""
    if not (knox_settings.AUTO_REFRESH and token.expiry):
        return None
    expiry = renewed_expiry(token)
    late = (expiry - token.expiry).total_seconds()
    return expiry if late > knox_settings.MIN_REFRESH_INTERVAL else None


class CachedTokenAuthentication(TokenAuthentication):
    """Knox tokens (`Authorization: Token <key>`), remembered for a short while."""

    def authenticate_credentials(self, token: bytes):
        # On the primary: a replica may not have a token made a moment ago, or
        # may still have one just revoked (core.db).
        with db.primary_reads():
            return self._authenticated(token)

    def _authenticated(self, token: bytes):
        if _cache_seconds() <= 0:
            return super().authenticate_credentials(token)
        text = token.decode("utf-8")
        try:
            digest = hash_token(text)
        except (TypeError, binascii.Error) as exc:
            raise exceptions.AuthenticationFailed(INVALID) from exc
        try:
            entry = self._cached(digest)
        except Exception:
            logger.warning(
                "token cache unreachable; checking the token in the database"
            )
            return super().authenticate_credentials(token)
        if entry is None:
            return self._looked_up(token, text, digest)
        auth_token = entry["token"]
        if new_expiry := _needs_renewal(auth_token):
            if not AuthToken.objects.filter(digest=digest).update(expiry=new_expiry):
                return self._looked_up(token, text, digest)  # revoked meanwhile
            auth_token.expiry = new_expiry
            _remember(digest, entry)
        return self.validate_user(auth_token)

    def _cached(self, digest: str) -> dict | None:
        """The remembered entry for a token, while it still counts; None else
        (only the caches are read here: this process's, then the shared one,
        and the account's generation from the shared one every time)."""
        entry = _near.get(digest)
        if entry is None:
            entry = cache.get(_entry_key(digest))
            if entry is None:
                return None
            _near.put(digest, entry)
        user, auth_token = entry["user"], entry["token"]
        if (
            time.time() - entry["stored_at"] > _cache_seconds()
            or cache.get(_generation_key(user.pk)) != entry["generation"]
            or (auth_token.expiry is not None and auth_token.expiry <= timezone.now())
        ):
            _near.forget(digest)
            return None  # knox's own path refuses (and deletes) an expired token
        return entry

    def _looked_up(self, token: bytes, text: str, digest: str):
        """Knox's database path, remembered under the generation read before it."""
        owners = set(
            AuthToken.objects.filter(
                token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]
            ).values_list("user_id", flat=True)
        )
        if not owners:
            raise exceptions.AuthenticationFailed(INVALID)
        generation = _generation(owners.pop()) if len(owners) == 1 else None
        user, auth_token = super().authenticate_credentials(token)
        if generation is not None:
            # Kept in the entry: `is_moderator` and `is_editor` read no table.
            prefetch_related_objects([user], "groups")
            entry = {"user": user, "token": auth_token, "generation": generation,
                     "stored_at": time.time()}  # fmt: skip
            ttl = _cache_seconds()
            if auth_token.expiry is not None:
                left = (auth_token.expiry - timezone.now()).total_seconds()
                ttl = max(1, min(ttl, int(left)))
            _remember(digest, entry, ttl)
        return user, auth_token

    def renew_token(self, auth_token: AuthToken) -> None:
        # As knox, at most one write per MIN_REFRESH_INTERVAL; unlike knox the
        # expiry in memory stays the stored one, so a cached entry tells the truth.
        if new_expiry := _needs_renewal(auth_token):
            auth_token.expiry = new_expiry
            auth_token.save(update_fields=["expiry"])


class _NearEntries:
    """This process's copies of the token entries it read lately, pickled, so
    each request unpickles objects of its own (nobody's changes to a request's
    user reach the next). A copy saves the round trip for the entry, not the
    check: the account's generation is still read from the shared cache at
    every request, so a revocation anywhere counts here at once."""

    MOST = 1024

    def __init__(self) -> None:
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> dict | None:
        with self._lock:
            blob = self._entries.get(digest)
            if blob is None:
                return None
            self._entries.move_to_end(digest)
        return pickle.loads(blob)  # noqa: S301 - pickled by this process

    def put(self, digest: str, entry: dict) -> None:
        blob = pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._entries[digest] = blob
            while len(self._entries) > self.MOST:
                self._entries.popitem(last=False)

    def forget(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)


_near = _NearEntries()


def _remember(digest: str, entry: dict, ttl: int | None = None) -> None:
    _near.forget(digest)
    try:
        cache.set(_entry_key(digest), entry, timeout=ttl or _cache_seconds())
    except Exception:
        logger.warning("token cache unreachable; not remembering the token")


def _generation(user_id: int) -> str | None:
    """The account's current generation, made if it has none; None: no cache."""
    key = _generation_key(user_id)
    try:
        return cache.get_or_set(key, secrets.token_hex(8), timeout=None)
    except Exception:
        logger.warning("token cache unreachable; not remembering the token")
        return None


def revoke_cached_tokens(*, user_id: int) -> None:
    """Make every cached token of the account useless, now and after commit."""

    def move() -> None:
        try:
            cache.set(_generation_key(user_id), secrets.token_hex(8), timeout=None)
        except Exception:
            # The entries still die within API_TOKEN_CACHE_SECONDS.
            logger.error("token cache unreachable; cached tokens of %s stay", user_id)

    move()
    transaction.on_commit(move)


def _token_deleted(sender, instance: AuthToken, **kwargs) -> None:
    revoke_cached_tokens(user_id=instance.user_id)


def _account_changed(sender, instance: User, **kwargs) -> None:
    revoke_cached_tokens(user_id=instance.pk)


def _groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
    if not reverse:  # user.groups.add(...) and the like
        if action in ("post_add", "post_remove", "post_clear"):
            revoke_cached_tokens(user_id=instance.pk)
        return
    # group.user_set.add(...): the users named; on a clear, the members before it.
    if action == "pre_clear":
        ids = _members(instance)
    elif action in ("post_add", "post_remove"):
        ids = pk_set
    else:
        return
    for user_id in ids:
        revoke_cached_tokens(user_id=user_id)


def _members(group: Group) -> list[int]:
    return list(group.user_set.values_list("pk", flat=True))


def _group_deleted(sender, instance: Group, **kwargs) -> None:
    for user_id in _members(instance):
        revoke_cached_tokens(user_id=user_id)


post_delete.connect(_token_deleted, sender=AuthToken, dispatch_uid="token-cache-del")
m2m_changed.connect(
    _groups_changed, sender=User.groups.through, dispatch_uid="token-cache-groups"
)
pre_delete.connect(_group_deleted, sender=Group, dispatch_uid="token-cache-group")
post_save.connect(_account_changed, sender=User, dispatch_uid="token-cache-user")
post_delete.connect(_account_changed, sender=User, dispatch_uid="token-cache-gone")


def _session_user_key(user_id) -> str:
    return f"auth:session-user:{user_id}"


class CachedModelBackend(ModelBackend):
    """Django's own backend; the signed-in reader's account (with its groups)
    remembered as a token is, so a page costs no query for it.

    An entry counts while the account's generation is the one it was stored
    under and for `API_TOKEN_CACHE_SECONDS` at most: whatever revokes a token
    (the account saved, its groups changed) also forgets it here, and Django's
    session check (the password's hash) then runs against the account as it is.
    """

    def get_user(self, user_id):
        if _cache_seconds() <= 0:
            return self._read(user_id)
        key, generation_key = _session_user_key(user_id), _generation_key(user_id)
        try:
            found = cache.get_many([key, generation_key])
        except Exception:
            logger.warning("account cache unreachable; reading the account")
            return self._read(user_id)
        entry = found.get(key)
        if (
            entry is not None
            and entry["generation"] == found.get(generation_key)
            and time.time() - entry["stored_at"] <= _cache_seconds()
        ):
            return entry["user"]
        # The generation first: a change committed meanwhile moves it after.
        generation = _generation(user_id)
        user = self._read(user_id)
        if user is not None and generation is not None:
            entry = {"user": user, "generation": generation, "stored_at": time.time()}
            try:
                cache.set(key, entry, timeout=_cache_seconds())
            except Exception:
                logger.warning("account cache unreachable; not remembering it")
        return user

    def _read(self, user_id):
        with db.primary_reads():
            user = super().get_user(user_id)
            if user is not None:
                prefetch_related_objects([user], "groups")
        return user


class CachedTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme knox's own class gets, for this one."""

    target_class = CachedTokenAuthentication
