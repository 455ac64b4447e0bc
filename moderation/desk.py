"""The moderator desk: cards to decide, claimed so two moderators never work one,
and decisions its moderator may take back for a short while.

Every decision goes through the same services the admin and the API call
(`services.moderator_decide`, `user_ban`, `guest_ban`); the desk adds claims,
what each card shows, and undo.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from comments.models import Comment
from comments.services import comment_set_status
from core.exceptions import Conflict

from . import bans, selectors, services
from .classifiers import score_lines
from .models import (
    Action,
    DeskClaim,
    Flag,
    GuestBan,
    RuleName,
    Term,
    UndoRecord,
    Verdict,
)

ORDERS = ("oldest", "risk")
_QUOTED = re.compile(r"“([^”]{2,80})”")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


class Taken(Conflict):
    """Another moderator is working the card."""


class NothingToUndo(Conflict):
    """No decision of this moderator's is recent enough to take back."""


@dataclass(frozen=True)
class Filters:
    article: int | None = None
    reason: str | None = None
    state: str | None = None
    order: str = "oldest"

    @classmethod
    def from_query(cls, query) -> "Filters":
        """Read the desk's filters from a query string; unknown values are ignored."""
        article = query.get("article", "")
        reason = query.get("reason") or None
        state = query.get("state") or None
        order = query.get("order") or "oldest"
        return cls(
            article=int(article) if article.isdigit() else None,
            reason=reason if reason in RuleName.values else None,
            state=state if state in selectors.QUEUE_STATES else None,
            order=order if order in ORDERS else "oldest",
        )

    def as_query(self) -> dict:
        values = {"article": self.article, "reason": self.reason,
                  "state": self.state, "order": self.order}  # fmt: skip
        return {k: v for k, v in values.items() if v and v != "oldest"}


@dataclass
class Card:
    """One waiting comment as the desk shows it."""

    comment: Comment
    seen: int
    verdict: Verdict | None
    flags: list[Flag]
    history: dict = field(default_factory=dict)
    highlights: list[str] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.comment.pk

    @property
    def waiting_because(self) -> str:
        if self.comment.status == Comment.Status.APPROVED:
            return "Flagged by readers"
        if self.comment.status == Comment.Status.PENDING:
            return "Not decided by the machine yet"
        return "Held for a moderator"

    @property
    def reasons(self) -> list[str]:
        if self.verdict is None:
            return []
        return [r["reason"] for r in self.verdict.reasons]

    @property
    def scores(self) -> list[str]:
        return score_lines(self.verdict.scores) if self.verdict else []

    @property
    def ban_choices(self) -> list[tuple[str, str]]:
        return bans.BAN_CHOICES

    @property
    def body_marked(self) -> SafeString:
        return highlight(self.comment.body, self.highlights)


def highlight(text: str, phrases: list[str]) -> SafeString:
    """The text escaped, with each phrase (case-insensitive) and link marked."""
    patterns = [re.escape(p) for p in sorted(set(phrases), key=len, reverse=True) if p]
    patterns.append(_LINK.pattern)
    found = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    out, last = [], 0
    for match in found.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def waiting(filters: Filters) -> QuerySet:
    """The desk's queue under its filters, not yet ordered."""
    found = selectors.queue(filters.state)
    if filters.article:
        found = found.filter(article_id=filters.article)
    if filters.reason:
        found = found.filter(selectors.fired(filters.reason))
    return found


def _ordered(found: QuerySet, order: str) -> QuerySet:
    """Oldest first, or by risk: the weight of readers' open flags, then the
    machine's toxicity score. Subqueries, not a GROUP BY, so rows can be locked."""
    if order != "risk":
        return found.order_by("created_at", "pk")
    weight = (
        Flag.objects.open()
        .filter(comment=OuterRef("pk"))
        .order_by()
        .values("comment")
        .annotate(total=Sum("weight"))
        .values("total")
    )
    toxicity = (
        Verdict.objects.filter(comment=OuterRef("pk"))
        .order_by("-revision")
        .annotate(value=Cast(KT("scores__toxicity__score"), FloatField()))
        .values("value")
    )
    return found.annotate(
        flag_weight=Coalesce(Subquery(weight[:1], output_field=FloatField()), 0.0),
        toxicity=Coalesce(Subquery(toxicity[:1], output_field=FloatField()), 0.0),
    ).order_by("-flag_weight", "-toxicity", "created_at", "pk")


@transaction.atomic
def claim_batch(
    *, moderator: User, filters: Filters, limit: int | None = None, skip=()
) -> list[int]:
    """Claim up to `limit` waiting comments nobody else is working; their ids in
    desk order. Comments another moderator claims at this moment are skipped."""
    limit = limit or settings.MODERATION_DESK_BATCH
    now = timezone.now()
    DeskClaim.objects.filter(expires_at__lte=now).delete()
    others = DeskClaim.objects.exclude(moderator=moderator).values("comment_id")
    found = waiting(filters).exclude(pk__in=others).exclude(pk__in=list(skip))
    ids = list(
        _ordered(found, filters.order)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)[:limit]
    )
    _claim(ids, moderator, now)
    mine = set(
        DeskClaim.objects.filter(comment_id__in=ids, moderator=moderator).values_list(
            "comment_id", flat=True
        )
    )
    return [pk for pk in ids if pk in mine]


def _claim(ids: list[int], moderator: User, now) -> None:
    until = now + timedelta(seconds=settings.MODERATION_DESK_CLAIM_SECONDS)
    DeskClaim.objects.filter(comment_id__in=ids, moderator=moderator).update(
        expires_at=until
    )
    DeskClaim.objects.bulk_create(
        [DeskClaim(comment_id=pk, moderator=moderator, expires_at=until) for pk in ids],
        ignore_conflicts=True,
    )


def cards(ids: list[int]) -> list[Card]:
    """The cards for these comments, in this order, in a fixed number of queries."""
    comments = (
        Comment.objects.filter(pk__in=ids)
        .select_related("article", "author", "parent", "parent__author")
        .prefetch_related(
            Prefetch("verdicts", queryset=Verdict.objects.order_by("-revision")),
            Prefetch(
                "flags",
                queryset=Flag.objects.filter(resolved_at__isnull=True)
                .select_related("user")
                .order_by("created_at"),
                to_attr="open_flags",
            ),
        )
    )
    by_id = {c.pk: c for c in comments}
    seen = services.seen_marks(ids)
    histories = author_histories({c.author_id for c in by_id.values() if c.author_id})
    terms = list(Term.objects.values_list("phrase", flat=True))
    result = []
    for pk in ids:
        comment = by_id.get(pk)
        if comment is None:
            continue
        verdicts = list(comment.verdicts.all())
        verdict = verdicts[0] if verdicts else None
        result.append(
            Card(
                comment=comment,
                seen=seen.get(pk, 0),
                verdict=verdict,
                flags=comment.open_flags,
                history=histories.get(comment.author_id, {}),
                highlights=_phrases(comment, verdict, terms),
            )
        )
    return result


def _phrases(comment: Comment, verdict: Verdict | None, terms: list[str]) -> list[str]:
    """What made a rule fire, as it may appear in the text: quoted signals and
    any watched or banned term the comment contains."""
    found = []
    if verdict is not None:
        for entry in verdict.scores.values():
            for signal in entry.get("signals", []):
                found.extend(_QUOTED.findall(signal))
        for reason in verdict.reasons:
            found.extend(_QUOTED.findall(reason["reason"]))
    lowered = comment.body.lower()
    found.extend(t for t in terms if t.lower() in lowered)
    return [p for p in found if p.lower() in lowered]


def author_histories(author_ids: set[int]) -> dict[int, dict]:
    """For each author: comments by status, flags upheld against them, account
    age and ban, in two queries whatever the number of authors."""
    if not author_ids:
        return {}
    S = Comment.Status
    counts = (
        Comment.objects.filter(author_id__in=author_ids)
        .values("author_id")
        .annotate(
            approved=Count("pk", filter=Q(status=S.APPROVED)),
            rejected=Count("pk", filter=Q(status__in=[S.REJECTED, S.SPAM])),
            waiting=Count("pk", filter=Q(status__in=[S.HELD, S.PENDING])),
            flagged=Count(
                "flags__comment", filter=Q(flags__counted=True), distinct=True
            ),
        )
    )
    users = User.objects.in_bulk(author_ids)
    now = timezone.now()
    result = {}
    for row in counts:
        user = users[row["author_id"]]
        ban = bans.ban_text(user)
        result[row["author_id"]] = {
            **{k: row[k] for k in ("approved", "rejected", "waiting", "flagged")},
            "age_days": (now - user.date_joined).days,
            "ban": ban[:1].upper() + ban[1:],
        }
    return result


def counts(moderator: User) -> dict:
    """How many cards wait in each queue, and how many others are working."""
    found = selectors.queue()
    S = Comment.Status
    totals = found.aggregate(
        held=Count("pk", filter=Q(status=S.HELD)),
        pending=Count("pk", filter=Q(status=S.PENDING)),
        flagged=Count("pk", filter=Q(status=S.APPROVED)),
    )
    totals["total"] = sum(totals.values())
    totals["taken"] = (
        DeskClaim.objects.filter(expires_at__gt=timezone.now(), comment__in=found)
        .exclude(moderator=moderator)
        .count()
    )
    return totals


def _check_claim(comment_id: int, moderator: User) -> None:
    claim = (
        DeskClaim.objects.select_related("moderator")
        .filter(comment_id=comment_id, expires_at__gt=timezone.now())
        .exclude(moderator=moderator)
        .first()
    )
    if claim is not None:
        raise Taken(
            f"{claim.moderator.public_name} is working on this comment; "
            "it is theirs for now."
        )


def _before(comment: Comment) -> dict:
    flags = Flag.objects.filter(comment=comment, resolved_at__isnull=True)
    return {
        "status": comment.status,
        "shadowed": comment.shadowed,
        "decision": comment.decision,
        "flags": list(flags.values_list("pk", flat=True)),
    }


def _locked(comment_id: int) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("author")
        .get(pk=comment_id)
    )


@transaction.atomic
def desk_decide(
    *, moderator: User, comment_id: int, action: str, seen: int, reason: str = ""
) -> UndoRecord:
    """Approve, reject or mark spam from the desk; its moderator may undo it."""
    comment = _locked(comment_id)
    _check_claim(comment_id, moderator)
    before = _before(comment)
    services.moderator_decide(
        comment=comment, moderator=moderator, action=action, reason=reason, seen=seen
    )
    DeskClaim.objects.filter(comment_id=comment_id).delete()
    return UndoRecord.objects.create(
        moderator=moderator,
        audit=services.newest_audit(comment.pk),
        comment=comment,
        action=Action(action).value,
        before=before,
    )


@transaction.atomic
def desk_ban(
    *,
    moderator: User,
    comment_id: int,
    seen: int,
    reason: str,
    days: str,
    shadow: bool = False,
) -> UndoRecord:
    """Ban the card's author (or a guest's address) and reject the comment."""
    if days not in bans.BAN_DAYS:
        raise ValidationError({"days": "Choose 1, 7 or 30 days, or forever."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why: the author reads it."})
    comment = _locked(comment_id)
    _check_claim(comment_id, moderator)
    services.refuse_if_decided_meanwhile(comment, moderator, seen)
    before = _before(comment)
    if comment.author is not None:
        author = comment.author
        before["ban"] = {
            "banned_until": author.banned_until.isoformat()
            if author.banned_until
            else None,
            "ban_is_permanent": author.ban_is_permanent,
            "ban_is_shadow": author.ban_is_shadow,
            "ban_reason": author.ban_reason,
        }
        until = bans.ban_until(bans.BAN_DAYS[days])
        bans.user_ban(user=author, moderator=moderator, reason=reason,
                      until=until, shadow=shadow, comment=comment)  # fmt: skip
    else:
        had = GuestBan.objects.filter(email=comment.guest_email.lower()).exists()
        before["guest_ban"] = None if had else comment.guest_email.lower()
        bans.guest_ban(email=comment.guest_email, moderator=moderator,
                           reason=reason)  # fmt: skip
    if comment.status != Comment.Status.REJECTED:
        services.moderator_decide(
            comment=comment, moderator=moderator, action=Action.REJECT, reason=reason
        )
    DeskClaim.objects.filter(comment_id=comment_id).delete()
    return UndoRecord.objects.create(
        moderator=moderator,
        audit=services.newest_audit(comment.pk),
        comment=comment,
        subject_user=comment.author,
        action="ban",
        before=before,
    )


@transaction.atomic
def desk_undo(*, moderator: User) -> UndoRecord:
    """Take back this moderator's last desk decision, within the undo window and
    only while nobody has acted on the comment since."""
    window = timedelta(seconds=settings.MODERATION_UNDO_SECONDS)
    record = (
        UndoRecord.objects.select_for_update()
        .filter(
            moderator=moderator,
            undone_at__isnull=True,
            created_at__gt=timezone.now() - window,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if record is None:
        raise NothingToUndo(
            f"Nothing to undo: only the last {window.seconds} seconds' decisions "
            "can be taken back."
        )
    comment = _locked(record.comment_id)
    if services.newest_audit(comment.pk).pk != record.audit_id:
        raise NothingToUndo("Not undone: someone has acted on this comment since.")
    before = record.before
    if "ban" in before and comment.author is not None:
        ban = before["ban"]
        until = ban["banned_until"]
        bans.set_ban(
            comment.author,
            until=datetime.fromisoformat(until) if until else None,
            permanent=ban["ban_is_permanent"],
            shadow=ban["ban_is_shadow"],
            reason=ban["ban_reason"],
        )
    if before.get("guest_ban"):
        GuestBan.objects.filter(email=before["guest_ban"]).delete()
    now_status = comment.status
    comment_set_status(
        comment_id=comment.pk,
        status=before["status"],
        shadowed=before["shadowed"],
        decision=before["decision"],
    )
    Flag.objects.filter(pk__in=before["flags"]).update(resolved_at=None, upheld=None)
    services.audit(
        comment=comment,
        actor=moderator,
        subject_user=record.subject_user,
        action="undo",
        reasons=[f"{moderator.username} took back their {record.action} decision."],
        before=now_status,
        after=before["status"],
    )
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    _claim([comment.pk], moderator, timezone.now())
    return record


def author_comments(author_id: int, limit: int = 20) -> QuerySet:
    """An author's latest comments of every status, for the desk's history."""
    return (
        Comment.objects.filter(author_id=author_id)
        .select_related("article")
        .order_by("-created_at", "-pk")[:limit]
    )
