"""The moderators' desk in /admin/: the queue, terms, flags, bans and the audit log."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from comments.models import Comment
from core.exceptions import Conflict

from . import selectors, services
from .models import (
    Action,
    Appeal,
    AuditEntry,
    BannedAccount,
    Flag,
    GuestBan,
    QueueItem,
    RuleName,
    Term,
    TrustedFlagger,
    Verdict,
)


def _count(queryset, field: str = "pk"):
    counted = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def _author_count(status: str):
    return _count(
        Comment.objects.filter(author=OuterRef("author"), status=status), "author"
    )


class AuditInline(admin.TabularInline):
    model = AuditEntry
    fk_name = "comment"
    fields = ("created_at", "actor_name", "action", "before", "after", "reason_text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Audit trail"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class VerdictInline(admin.TabularInline):
    model = Verdict
    fields = ("created_at", "revision", "action", "policy", "reason_text", "scores")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class FlagInline(admin.TabularInline):
    model = Flag
    fields = ("created_at", "user", "reason", "note", "resolved_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReasonFilter(admin.SimpleListFilter):
    title = "reason"
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return RuleName.choices

    def queryset(self, request, queryset):
        if self.value() not in RuleName.values:
            return queryset
        found = Verdict.objects.filter(
            comment=OuterRef("pk"), rule_names__contains=f" {self.value()} "
        )
        return queryset.filter(Exists(found))


class StateFilter(admin.SimpleListFilter):
    title = "waiting because"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        held, pending = Comment.Status.HELD, Comment.Status.PENDING
        return [(held, "Held"), (pending, "Pending"), (selectors.FLAGGED, "Flagged")]

    def queryset(self, request, queryset):
        if self.value() == selectors.FLAGGED:
            return queryset.filter(open_flags__gt=0)
        if self.value() in {Comment.Status.HELD, Comment.Status.PENDING}:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(QueueItem)
class QueueAdmin(admin.ModelAdmin):
    list_display = (
        "created_at", "excerpt", "article_link", "author_history", "status",
        "flags", "scores", "reasons",
    )  # fmt: skip
    list_filter = (StateFilter, ReasonFilter, "article")
    list_select_related = ("article", "author")
    search_fields = ("body", "author__username", "guest_email", "guest_name")
    ordering = ("created_at", "pk")
    list_per_page = 50
    actions = (
        "approve",
        "reject",
        "mark_spam",
        "ban_week",
        "ban_forever",
        "shadow_ban",
    )
    inlines = (FlagInline, VerdictInline, AuditInline)
    fields = ("article", "author", "guest_name", "guest_email", "status", "shadowed",
              "created_at", "edited_at", "revision", "rendered_body")  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        flags = Flag.objects.open().filter(comment=OuterRef("pk"))
        return (
            QueueItem.objects.filter(pk__in=selectors.queue().values("pk"))
            .annotate(
                open_flags=_count(flags, "comment"),
                author_approved=_author_count(Comment.Status.APPROVED),
                author_rejected=_author_count(Comment.Status.REJECTED),
            )
            .prefetch_related(
                Prefetch("verdicts", queryset=Verdict.objects.order_by("-revision"))
            )
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="open flags", ordering="open_flags")
    def flags(self, obj: QueueItem) -> int:
        return obj.open_flags

    @admin.display(description="comment")
    def excerpt(self, obj: QueueItem) -> str:
        return Truncator(obj.body).chars(160) or "(deleted)"

    @admin.display(description="article", ordering="article__title")
    def article_link(self, obj: QueueItem) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            obj.article.get_absolute_url(),
            Truncator(obj.article.title).chars(50),
        )

    @admin.display(description="author")
    def author_history(self, obj: QueueItem) -> str:
        if obj.author is None:
            return format_html("{} &lt;{}&gt; (guest)", obj.guest_name, obj.guest_email)
        ban = ""
        if obj.author.has_active_ban:
            ban = " · shadow-banned" if obj.author.ban_is_shadow else " · banned"
        return format_html(
            "{}<br><small>{} approved · {} rejected{}</small>",
            obj.author.username,
            obj.author_approved,
            obj.author_rejected,
            ban,
        )

    def _verdict(self, obj: QueueItem) -> Verdict | None:
        verdicts = list(obj.verdicts.all())
        return verdicts[0] if verdicts else None

    @admin.display(description="scores")
    def scores(self, obj: QueueItem) -> str:
        verdict = self._verdict(obj)
        if verdict is None or not verdict.scores:
            return "–"
        return format_html_join(
            "<br>", "{}: {}", ((k, v["score"]) for k, v in verdict.scores.items())
        )

    @admin.display(description="why")
    def reasons(self, obj: QueueItem) -> str:
        verdict = self._verdict(obj)
        if verdict is None:
            return (
                "Not decided yet."
                if obj.status == Comment.Status.PENDING
                else "Flagged by readers."
            )
        return format_html_join("<br>", "{}", ((r["reason"],) for r in verdict.reasons))

    @admin.display(description="body")
    def rendered_body(self, obj: QueueItem) -> str:
        return format_html('<div class="comment-body">{}</div>', obj.body)

    def _decide(self, request, queryset, action: Action) -> None:
        done = 0
        for comment in queryset:
            try:
                services.moderator_decide(
                    comment=comment, moderator=request.user, action=action
                )
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"#{comment.pk}: {exc}", messages.WARNING)
        self.message_user(
            request, f"{action.label}: {done} comment(s).", messages.SUCCESS
        )

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve(self, request, queryset) -> None:
        self._decide(request, queryset, Action.APPROVE)

    @admin.action(description="Reject selected comments", permissions=["change"])
    def reject(self, request, queryset) -> None:
        self._decide(request, queryset, Action.REJECT)

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset) -> None:
        self._decide(request, queryset, Action.SPAM)

    def _ban(self, request, queryset, *, days: int | None, shadow: bool) -> None:
        banned = set()
        for comment in queryset.select_related("author"):
            if comment.author is None or comment.author_id in banned:
                continue
            until = timezone.now() + timedelta(days=days) if days else None
            try:
                services.user_ban(
                    user=comment.author,
                    moderator=request.user,
                    until=until,
                    shadow=shadow,
                    comment=comment,
                    reason=f"From the moderation queue, over comment #{comment.pk}.",
                )
                banned.add(comment.author_id)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, f"#{comment.pk}: {exc}", messages.WARNING)
        self.message_user(request, f"Banned {len(banned)} author(s).", messages.SUCCESS)

    @admin.action(description="Ban the authors for 7 days", permissions=["change"])
    def ban_week(self, request, queryset) -> None:
        self._ban(request, queryset, days=7, shadow=False)

    @admin.action(description="Ban the authors permanently", permissions=["change"])
    def ban_forever(self, request, queryset) -> None:
        self._ban(request, queryset, days=None, shadow=False)

    @admin.action(description="Shadow-ban the authors", permissions=["change"])
    def shadow_ban(self, request, queryset) -> None:
        self._ban(request, queryset, days=None, shadow=True)


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("phrase", "kind", "normalised", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("phrase", "normalised")


@admin.register(GuestBan)
class GuestBanAdmin(admin.ModelAdmin):
    list_display = ("email", "reason", "created_at")
    search_fields = ("email",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_name", "action", "comment_ref", "subject_user",
                    "before", "after", "reason_text")  # fmt: skip
    list_filter = ("action", "actor_name")
    search_fields = ("actor_name", "comment_ref")
    list_select_related = ("subject_user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("created_at", "comment", "user", "reason", "note", "resolved_at")
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("comment", "user")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Authors' appeals, oldest first; uphold or reverse the selected ones."""

    list_display = ("created_at", "comment_excerpt", "action", "decided_by", "note",
                    "status", "outcome", "moderator")  # fmt: skip
    list_filter = ("status", "outcome", "action")
    list_select_related = ("comment", "decided_by", "moderator")
    ordering = ("created_at", "pk")
    actions = ("reverse", "uphold")
    readonly_fields = ("comment", "author", "decided_at", "action", "decided_by",
                       "note", "status", "outcome", "reason", "moderator",
                       "created_at", "resolved_at")  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="comment")
    def comment_excerpt(self, obj: Appeal) -> str:
        return Truncator(obj.comment.body).chars(80) or "(erased)"

    def _decide(self, request, queryset, outcome: str) -> None:
        done = 0
        for appeal in queryset:
            try:
                services.appeal_decide(appeal=appeal, moderator=request.user,
                                       outcome=outcome)  # fmt: skip
                done += 1
            except (PermissionDenied, ValidationError, Conflict) as exc:
                self.message_user(request, f"Appeal #{appeal.pk}: {exc}",
                                  messages.WARNING)  # fmt: skip
        label = Appeal.Outcome(outcome).label
        self.message_user(request, f"{label}: {done} appeal(s).", messages.SUCCESS)

    @admin.action(description="Reverse: publish the comments", permissions=["change"])
    def reverse(self, request, queryset) -> None:
        self._decide(request, queryset, Appeal.Outcome.REVERSE)

    @admin.action(description="Uphold: the decisions stand", permissions=["change"])
    def uphold(self, request, queryset) -> None:
        self._decide(request, queryset, Appeal.Outcome.UPHOLD)


@admin.register(TrustedFlagger)
class TrustedFlaggerAdmin(admin.ModelAdmin):
    """Readers whose flag holds a comment at once."""

    list_display = ("user", "note", "created_at")
    autocomplete_fields = ("user",)
    search_fields = ("user__username",)


@admin.register(BannedAccount)
class BannedAccountAdmin(admin.ModelAdmin):
    list_display = ("username", "email", "banned_until", "ban_is_permanent",
                    "ban_is_shadow", "ban_reason")  # fmt: skip
    search_fields = ("username", "email")
    actions = ("lift_ban",)
    fields = list_display
    readonly_fields = list_display

    def get_queryset(self, request: HttpRequest):
        active = Q(ban_is_permanent=True) | Q(banned_until__gt=timezone.now())
        return BannedAccount.objects.filter(active)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Lift the selected bans", permissions=["change"])
    def lift_ban(self, request, queryset) -> None:
        for account in queryset:
            services.user_unban(user=account, moderator=request.user)
        self.message_user(request, f"Lifted {queryset.count()} ban(s).",
                          messages.SUCCESS)  # fmt: skip


# The policy bundles' admin lives in its own module.
from . import bundles_admin  # noqa: E402, F401
