"""Every write to the comment tree: post, edit, delete, vote, status, follow.

Pages, the API, the admin and moderation's tasks all call these functions, so
each rule lives in one place. Each runs in one transaction; counters move with
F() updates inside it.
"""

import hashlib
import hmac
import re
import unicodedata
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import strip_tags

from accounts import ratelimit
from accounts.models import User
from articles.models import Article
from core.exceptions import RateLimited
from core.tasks import enqueue_on_commit
from core.text import normalise

from . import guests, rights
from .cache import discussion_changed
from .markdown import render_comment
from .models import (
    MAX_BODY,
    MAX_DEPTH,
    ArticleSubscription,
    Comment,
    Vote,
    path_segment,
)
from .signals import comment_posted
from .tasks import notify_comment_approved, send_guest_confirmation

# A repeat is looked for among the author's latest comments in the window.
DUPLICATE_LOOKBACK = 50
CROSS_POST_MIN_WORDS = 5
_ALLOWED_CONTROLS = {"\n", "\t"}
# Embeddings, overrides and isolates: they make text read other than it is.
_DIRECTION_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_HANGUL_FILLERS = set("\u115f\u1160\u3164\uffa0")
# What a body may not hold, found in one scan: the control characters but the
# allowed ones (Unicode keeps the set of controls, all below U+0100, fixed) and
# the direction controls.
_HIDDEN = re.compile(
    "["
    + "".join(
        f"\\u{ord(char):04x}"
        for char in sorted(
            (
                {chr(n) for n in range(0x100) if unicodedata.category(chr(n)) == "Cc"}
                - _ALLOWED_CONTROLS
            )
            | _DIRECTION_CONTROLS
        )
    )
    + "]"
)


def _too_long(length: int) -> ValidationError:
    return ValidationError(
        {"body": f"Keep it to {MAX_BODY:,} characters; this is {length:,}."}
    )


def check_body_size(body: str) -> None:
    """Refuse a body far past the limit before any work is spent on it."""
    # Twice the limit: line ends and composed characters may still shrink it.
    if len(body) > 2 * MAX_BODY:
        raise _too_long(len(body))


def normalise_body(body: str) -> str:
    """The stored form of a body: NFC, Unix line ends, trimmed; refuse what hides."""
    check_body_size(body)
    text = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.strip()
    if (found := _HIDDEN.search(text)) is not None:
        _refuse_hidden(found.group())
    if not any(_shows(char) for char in text):
        raise ValidationError({"body": "Write something before posting."})
    if len(text) > MAX_BODY:
        raise _too_long(len(text))
    return text


def _refuse_hidden(char: str) -> None:
    if char in _DIRECTION_CONTROLS:
        raise ValidationError(
            {
                "body": "The text contains a character that reverses the "
                f"direction of what follows (U+{ord(char):04X}); remove it."
            }
        )
    raise ValidationError(
        {
            "body": "The text contains a control character "
            f"(U+{ord(char):04X}); remove it and try again."
        }
    )


def _shows(char: str) -> bool:
    """Whether a character leaves a mark: not a space, a format character
    (zero-width ones among them) or a Hangul filler."""
    return not (
        char.isspace() or unicodedata.category(char) == "Cf" or char in _HANGUL_FILLERS
    )


def render_body(text: str) -> str:
    """The body's HTML; refuse Markdown that would show nothing at all."""
    html = render_comment(text)
    if not any(_shows(char) for char in strip_tags(html)):
        raise ValidationError(
            {"body": "That would show nothing; write something before posting."}
        )
    return html


def hash_address(ip_address: str | None) -> str:
    """A keyed hash of the client address: enough to match, never to recover it."""
    if not ip_address:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, ip_address.encode(), hashlib.sha256).hexdigest()


def _parent_for_reply(
    parent_id: int | None, *, article: Article, author: User | None
) -> Comment | None:
    """The comment answered, read once and locked so a delete or a rejection
    cannot slip in between the check and the save."""
    if parent_id is None:
        return None
    parent = Comment.objects.select_for_update().filter(pk=parent_id).first()
    if parent is None:
        raise ValidationError({"parent": "That comment does not exist."})
    if refusal := rights.reply_refusal(parent, author, article):
        raise refusal
    return parent


def _author_ident(author: User | None, guest_email: str) -> str:
    return f"user:{author.pk}" if author is not None else f"guest:{guest_email.lower()}"


def _check_duplicate(
    *,
    article: Article,
    author: User | None,
    guest_email: str,
    parent_id: int | None,
    text: str,
) -> int | None:
    """Refuse the author's repeat of their own recent comment, folded alike;
    answer the id the comment is to have, when the database hands them out
    ahead (PostgreSQL's sequence, asked in the same statement).

    Case, accents, punctuation and leetspeak do not make a text new. A short
    text ("Agreed.", under CROSS_POST_MIN_WORDS words) repeats only as an
    answer to the same comment; a longer one repeats anywhere, on any article
    (the cross-posting spammer's habit).
    """
    folded_text = normalise(text)
    folded = _digest(folded_text)
    short = len(folded_text.split()) < CROSS_POST_MIN_WORDS
    next_id, rows = _recent_bodies(
        author=author, guest_email=guest_email,
        where=(article.pk, parent_id) if short else None,
    )  # fmt: skip
    for body, article_id in rows:
        if _fold(body) == folded:
            where = (
                "here"
                if article_id == article.pk
                else f"on “{Article.objects.get(pk=article_id).title}”"
            )
            raise ValidationError(
                {"body": f"You already posted this same comment {where}."},
                code="duplicate",
            )
    return next_id


# Plain SQL, in one round trip: on PostgreSQL the comment's id comes with the
# author's recent bodies, so the comment is saved with its place in the thread
# at once (no second write). Compiling this through the ORM cost more than
# running it.
_RECENT_SQL = (
    "SELECT body, article_id FROM {table} WHERE created_at >= %s "
    "AND deleted_at IS NULL AND {author}{answering} ORDER BY id DESC LIMIT {most}"
)
_WITH_NEXT_ID_SQL = (
    "SELECT nextval(pg_get_serial_sequence(%s, 'id')), NULL, NULL "
    "UNION ALL (SELECT NULL, body, article_id FROM ({recent}) AS recent)"
)


def _recent_bodies(
    *, author: User | None, guest_email: str, where: tuple[int, int | None] | None
) -> tuple[int | None, list[tuple[str, int]]]:
    """The next comment id (None where the database gives none ahead), and the
    body and article of the author's latest comments within the duplicate
    window (on `where`, an article and the comment answered, when given)."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(Comment._meta.db_table)
    params: list = [timezone.now() - settings.COMMENT_DUPLICATE_WINDOW]
    if author is not None:
        author_sql = "author_id = %s"
        params.append(author.pk)
    else:
        author_sql = "author_id IS NULL AND guest_email = %s"
        params.append(guest_email)
    answering = ""
    if where is not None:
        article_id, parent_id = where
        answering = " AND article_id = %s AND " + (
            "parent_id IS NULL" if parent_id is None else "parent_id = %s"
        )
        params += [article_id] if parent_id is None else [article_id, parent_id]
    sql = _RECENT_SQL.format(table=table, author=author_sql, answering=answering,
                             most=DUPLICATE_LOOKBACK)  # fmt: skip
    ahead = connection.vendor == "postgresql"
    if ahead:
        sql = _WITH_NEXT_ID_SQL.format(recent=sql)
        params = [Comment._meta.db_table, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not ahead:
        return None, rows
    next_id = next(row[0] for row in rows if row[0] is not None)
    return next_id, [row[1:] for row in rows if row[0] is None]


# The folded form of bodies seen lately, both as digests (a few hundred KiB at
# most, whatever the bodies' length): an author's earlier comments are folded
# once, not again at each of their posts.
_FOLDED: dict[bytes, bytes] = {}
_FOLDED_MOST = 4096


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def _fold(body: str) -> bytes:
    """The digest of `body` folded by `normalise`."""
    key = _digest(body)
    folded = _FOLDED.get(key)
    if folded is None:
        if len(_FOLDED) >= _FOLDED_MOST:
            _FOLDED.clear()
        folded = _FOLDED[key] = _digest(normalise(body))
    return folded


def place_in_thread(comment: Comment, parent: Comment | None) -> None:
    """Set a comment's root, depth and path under `parent` (it needs its id):
    deep replies sit at the last level, beside the comment they answer. The one
    home of the rule, for posting and for imports; nothing is saved."""
    if parent is None:
        comment.root_id, comment.depth = comment.pk, 0
        comment.path = path_segment(comment.pk)
    elif parent.depth < MAX_DEPTH - 1:
        comment.root_id, comment.depth = parent.root_id, parent.depth + 1
        comment.path = parent.path + path_segment(comment.pk)
    else:
        comment.root_id, comment.depth = parent.root_id, parent.depth
        comment.path = parent.tree_parent_path + path_segment(comment.pk)


def _place(comment: Comment, parent: Comment | None) -> None:
    """Give a saved comment its place in the thread, and save it."""
    place_in_thread(comment, parent)
    Comment.objects.filter(pk=comment.pk).update(
        root_id=comment.root_id, depth=comment.depth, path=comment.path
    )


def _announce(comment: Comment) -> None:
    pk, revision = comment.pk, comment.revision
    transaction.on_commit(
        lambda: comment_posted.send(sender=Comment, comment_id=pk, revision=revision)
    )


def comment_post(
    *,
    article: Article,
    author: User | None,
    body: str,
    parent_id: int | None = None,
    guest_name: str = "",
    guest_email: str = "",
    ip_address: str | None = None,
    idempotency_key: str | None = None,
) -> Comment:
    """Save a comment or reply as pending and, after commit, hand it to moderation.

    `parent_id` names the comment answered; one the author may not see answers
    exactly like a missing one. A repeated idempotency key from the same author
    returns the first comment.
    """
    guest_name, guest_email = guest_name.strip(), guest_email.strip().lower()
    ident = _author_ident(author, guest_email)
    # A key names one post: the same key on another article is another post.
    key = (
        hashlib.sha256(f"{ident}:{article.pk}:{idempotency_key}".encode()).hexdigest()
        if idempotency_key
        else None
    )
    if key and (earlier := Comment.objects.filter(idempotency_key=key).first()):
        return earlier
    try:
        return _post(
            article=article, author=author, body=body, parent_id=parent_id,
            guest_name=guest_name, guest_email=guest_email, ident=ident,
            ip_address=ip_address, key=key,
        )  # fmt: skip
    except IntegrityError:
        # The same key won a race a moment ago (its transaction is rolled back
        # whole, so no savepoint is needed): answer with that comment.
        if key and (earlier := Comment.objects.filter(idempotency_key=key).first()):
            return earlier
        raise


@transaction.atomic
def _post(
    *,
    article: Article,
    author: User | None,
    body: str,
    parent_id: int | None,
    guest_name: str,
    guest_email: str,
    ident: str,
    ip_address: str | None,
    key: str | None,
) -> Comment:
    """The posting transaction: at most 8 queries for a reader (a test pins it)."""
    if refusal := rights.post_refusal(article, author, guest_name, guest_email):
        raise refusal
    # The cheap checks first: a huge body or a flood costs nothing more.
    check_body_size(body)
    ip_hash = hash_address(ip_address)
    if wait := ratelimit.hit(
        "comment", ident if author else ip_hash or ident, settings.COMMENT_THROTTLE_RATE
    ):
        raise RateLimited(wait)
    text = normalise_body(body)
    html = render_body(text)
    parent = _parent_for_reply(parent_id, article=article, author=author)
    next_id = _check_duplicate(article=article, author=author,
                               guest_email=guest_email, parent_id=parent_id,
                               text=text)  # fmt: skip

    comment = Comment(
        article=article,
        parent=parent,
        author=author,
        guest_name="" if author else guest_name,
        guest_email="" if author else guest_email,
        body=text,
        body_html=html,
        ip_hash=ip_hash,
        idempotency_key=key,
    )
    # The article, parent and author are rows in hand (the parent locked), and
    # the key's uniqueness is the database's to enforce: no query for either.
    comment.full_clean(
        exclude=["root", "path", "body", "article", "parent", "author",
                 "idempotency_key"]
    )  # fmt: skip
    if next_id is None:
        comment.save()
        _place(comment, parent)
    else:
        comment.pk = next_id  # handed out with the repeats: one write
        place_in_thread(comment, parent)
        comment.save(force_insert=True)
    discussion_changed(article.pk)  # its author sees it at once, as pending
    if author is None and guests.needs_confirmation(email=guest_email):
        enqueue_on_commit(send_guest_confirmation, guest_email)
    _announce(comment)
    return comment


@transaction.atomic
def comment_import(
    *,
    article: Article,
    body: str,
    author: User | None = None,
    guest_name: str = "",
    guest_email: str = "",
    parent: Comment | None = None,
    status: str = Comment.Status.APPROVED,
    created_at=None,
) -> Comment:
    """Place an already-moderated comment (an import, demo content) in its thread.

    No posting rules, rate limits or moderation: the caller vouches for it.
    """
    text = normalise_body(body)
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        author=author,
        guest_name="" if author else guest_name,
        guest_email="" if author else guest_email.lower(),
        body=text,
        body_html=render_comment(text),
        status=status,
        # An imported comment is old news: nobody is e-mailed about it.
        notified_at=timezone.now() if status == Comment.Status.APPROVED else None,
    )
    if created_at is not None:
        Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
        comment.created_at = created_at
    _place(comment, parent)
    _move_counters(comment, int(is_counted(comment)))
    return comment


def is_counted(comment: Comment) -> bool:
    """Whether a comment counts in its article's and its parent's totals."""
    return comment.status == Comment.Status.APPROVED and comment.deleted_at is None


def _move_counters(comment: Comment, delta: int) -> None:
    """Count a comment in or out of the public totals; retire cached pages."""
    discussion_changed(comment.article_id)
    if delta == 0:
        return
    Article.objects.filter(pk=comment.article_id).update(
        comment_count=F("comment_count") + delta
    )
    if comment.parent_id:
        Comment.objects.filter(pk=comment.parent_id).update(
            reply_count=F("reply_count") + delta
        )


def _locked(comment_id: int) -> Comment:
    """The comment, locked, with its article (unlocked) for the rights checks."""
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article")
        .get(pk=comment_id)
    )


@transaction.atomic
def comment_edit(*, comment: Comment, user: User, body: str) -> Comment:
    """Change the text within the edit window; the new revision is moderated again
    (a held one stays held for its moderator)."""
    comment = _locked(comment.pk)
    if refusal := rights.change_refusal(comment, user, "edit"):
        raise refusal
    text = normalise_body(body)
    if text == comment.body:
        return comment
    was_counted = is_counted(comment)
    comment.body, comment.body_html = text, render_body(text)
    comment.edited_at = timezone.now()
    comment.revision += 1
    # A held comment waits for a person, who will read the new text: an edit
    # never sends it back to the machine, which could release it.
    if comment.status != Comment.Status.HELD:
        comment.status, comment.decision = Comment.Status.PENDING, None
    comment.save(
        update_fields=["body", "body_html", "edited_at", "revision", "status",
                       "decision"]
    )  # fmt: skip
    _move_counters(comment, -int(was_counted))
    if comment.status == Comment.Status.PENDING:
        _announce(comment)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user: User) -> Comment:
    """Take a comment back: its text is erased, its place in the thread stays."""
    comment = _locked(comment.pk)
    if refusal := rights.change_refusal(comment, user, "delete"):
        raise refusal
    was_counted = is_counted(comment)
    comment.deleted_at = timezone.now()
    comment.body = comment.body_html = ""
    comment.save(update_fields=["deleted_at", "body", "body_html"])
    _move_counters(comment, -int(was_counted))
    return comment


# comment_set_status's default: leave the statement of reasons as it is.
KEEP = object()


@transaction.atomic
def comment_set_status(
    *,
    comment_id: int,
    status: str,
    shadowed: bool = False,
    decision: dict | object | None = KEEP,
) -> tuple[Comment, str]:
    """Move a comment to `status`, keeping counters right; return it and the old status.

    `shadowed` shows the comment to its author as published and to nobody else.
    `decision` is the statement of reasons its author reads (kept as given; None
    clears it; left out, the one it has stays).
    Approval releases the reply and follower e-mails once the transaction commits.
    """
    comment = _locked(comment_id)
    old = comment.status
    fields = []
    if decision is not KEEP:
        comment.decision = decision
        fields.append("decision")
    if old == status and comment.shadowed == shadowed:
        if fields:
            comment.save(update_fields=fields)
        return comment, old
    was_counted = is_counted(comment)
    comment.status, comment.shadowed = status, shadowed
    comment.save(update_fields=["status", "shadowed", *fields])
    _move_counters(comment, int(is_counted(comment)) - int(was_counted))
    if status == Comment.Status.APPROVED and comment.notified_at is None:
        enqueue_on_commit(notify_comment_approved, comment.pk)
    return comment, old


@transaction.atomic
def comment_note_appeal(*, comment_id: int, appeal: dict) -> Comment:
    """Show the author where their appeal of the comment's decision stands."""
    comment = _locked(comment_id)
    if comment.decision is not None:
        comment.decision = {**comment.decision, "appeal": appeal}
        comment.save(update_fields=["decision"])
        discussion_changed(comment.article_id)
    return comment


@transaction.atomic
def comment_vote(*, comment: Comment, user: User, value: int) -> tuple[int, int]:
    """Vote +1 or -1, or 0 to withdraw; return the new score and the reader's vote."""
    if value not in (1, -1, 0):
        raise ValidationError({"value": "A vote is 1, -1 or 0."})
    comment = _locked(comment.pk)
    if refusal := rights.react_refusal(comment, user, "vote"):
        raise refusal
    if wait := ratelimit.hit("vote", str(user.pk), settings.VOTE_THROTTLE_RATE):
        raise RateLimited(wait, "voting")
    vote = Vote.objects.filter(comment=comment, user=user).first()
    old = vote.value if vote else 0
    if value == old:
        return comment.score, value
    # A shadow-banned reader's vote is kept for them and moves no score.
    counted = rights.counts_for_others(user)
    was = old if vote is not None and vote.counted else 0
    if value == 0:
        vote.delete()
    elif vote is None:
        Vote.objects.create(comment=comment, user=user, value=value, counted=counted)
    else:
        vote.value, vote.counted = value, counted
        vote.save(update_fields=["value", "counted"])
    delta = (value if counted else 0) - was
    if delta:
        Comment.objects.filter(pk=comment.pk).update(score=F("score") + delta)
    discussion_changed(comment.article_id)
    comment.refresh_from_db(fields=["score"])
    return comment.score, value


@transaction.atomic
def article_follow(*, article: Article, user: User, follow: bool) -> bool:
    """Start or stop e-mailing `user` each new comment on `article`."""
    if follow:
        ArticleSubscription.objects.get_or_create(article=article, user=user)
    else:
        ArticleSubscription.objects.filter(article=article, user=user).delete()
    return follow


def _by_amount(amounts: dict[int, int]) -> dict[int, list[int]]:
    """{id: amount} regrouped as {amount: [ids]}: one UPDATE per distinct amount."""
    grouped: dict[int, list[int]] = {}
    for pk, amount in amounts.items():
        grouped.setdefault(amount, []).append(pk)
    return grouped


def _withdraw_votes(user: User) -> set[int]:
    """Delete every vote of `user`, taking each counted one out of its comment's
    score; return the articles whose discussions changed."""
    votes = list(
        Vote.objects.filter(user=user).values_list(
            "comment_id", "comment__article_id", "value", "counted"
        )
    )
    moved = {cid: -value for cid, _, value, counted in votes if counted}
    for delta, ids in _by_amount(moved).items():
        Comment.objects.filter(pk__in=ids).update(score=F("score") + delta)
    Vote.objects.filter(user=user).delete()
    return {article_id for _, article_id, _, _ in votes}


def _erase_comments(user: User) -> set[int]:
    """Empty every comment of `user` and mark it deleted, keeping its node (so
    replies keep their place) and the counters right; return the articles."""
    mine = Comment.objects.filter(author=user)
    rows = list(
        mine.select_for_update().only("article_id", "parent_id", "status",
                                      "deleted_at")
    )  # fmt: skip
    counted = [c for c in rows if is_counted(c)]
    per_article = Counter(c.article_id for c in counted)
    per_parent = Counter(c.parent_id for c in counted if c.parent_id)
    for count, ids in _by_amount(per_article).items():
        Article.objects.filter(pk__in=ids).update(
            comment_count=F("comment_count") - count
        )
    for count, ids in _by_amount(per_parent).items():
        Comment.objects.filter(pk__in=ids).update(reply_count=F("reply_count") - count)
    mine.update(
        deleted_at=Coalesce("deleted_at", Value(timezone.now())),
        body="", body_html="", ip_hash="", idempotency_key=None,
    )  # fmt: skip
    return {c.article_id for c in rows}


@transaction.atomic
def author_erase(*, user: User) -> None:
    """Erase what an account wrote and did in the discussions, as it is erased.

    Each comment loses its text and is marked deleted; its node stays (shown as
    the erased account's, its replies in place). Votes are removed and the
    scores they moved follow; follows are removed. Every discussion touched is
    retired from the cache after commit.
    """
    changed = _withdraw_votes(user) | _erase_comments(user)
    ArticleSubscription.objects.filter(user=user).delete()
    for article_id in sorted(changed):
        discussion_changed(article_id)


@transaction.atomic
def comment_addresses_erase(*, before) -> int:
    """Erase the hashed client address of every comment posted before `before`;
    return how many were cleared."""
    return (
        Comment.objects.filter(created_at__lt=before)
        .exclude(ip_hash="")
        .update(ip_hash="")
    )
