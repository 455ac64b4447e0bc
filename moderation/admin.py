"""Moderation in /admin/: terms, flags, appeals, bans and the audit log (the
queue and the policy bundles have modules of their own)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Q,
)
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from core.exceptions import Conflict

from . import appeals, backtest, bans
from .models import (
    Appeal,
    AuditEntry,
    BannedAccount,
    Flag,
    GuestBan,
    Term,
    ToxicityExample,
    TrustedFlagger,
)
from .queue_admin import CHANGE_URL, author_queue_url


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    """Banned and watched terms, and the backtest of a proposed configuration."""

    list_display = ("phrase", "kind", "normalised", "note", "created_at")
    list_filter = ("kind",)
    search_fields = ("phrase", "normalised")

    def get_urls(self):
        view = self.admin_site.admin_view(self.backtest_view)
        return [
            path("backtest/", view, name="moderation_backtest"),
            *super().get_urls(),
        ]

    def backtest_view(self, request: HttpRequest) -> TemplateResponse:
        """Editors and moderators replay stored comments through proposed limits."""
        if not request.user.has_perm("moderation.view_policybundle"):
            raise PermissionDenied
        form = backtest.BacktestForm(request.GET or None)
        result = backtest.run(**form.cleaned_data) if form.is_valid() else None
        context = {
            **self.admin_site.each_context(request),
            "title": "Backtest a moderation configuration",
            "form": form,
            "result": result,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/moderation/backtest.html", context)


@admin.register(ToxicityExample)
class ToxicityExampleAdmin(admin.ModelAdmin):
    """The toxicity model's site corpus: comments moderators' overrides labelled."""

    list_display = ("created_at", "label", "comment_link", "excerpt", "moderator")
    list_filter = ("label",)
    list_select_related = ("moderator",)
    search_fields = ("text",)
    readonly_fields = ("comment", "text", "label", "moderator", "created_at")

    @admin.display(description="comment", ordering="comment_id")
    def comment_link(self, obj: ToxicityExample) -> str:
        url = reverse(CHANGE_URL, args=[obj.comment_id])
        return format_html('<a href="{}">#{}</a>', url, obj.comment_id)

    @admin.display(description="text")
    def excerpt(self, obj: ToxicityExample) -> str:
        return Truncator(obj.text).chars(90)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GuestBan)
class GuestBanAdmin(admin.ModelAdmin):
    list_display = ("email", "reason", "created_at")
    search_fields = ("email",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, newest first, each comment linked to its page."""

    list_display = ("created_at", "actor_name", "action", "comment_link", "subject",
                    "change", "reason_text")  # fmt: skip
    list_filter = ("action", "actor_name")
    search_fields = ("actor_name", "comment_ref", "subject_user__username")
    list_select_related = ("subject_user",)
    ordering = ("-created_at", "-pk")

    @admin.display(description="comment", ordering="comment_ref")
    def comment_link(self, obj: AuditEntry) -> str:
        if obj.comment_id:
            url = reverse(CHANGE_URL, args=[obj.comment_id])
            return format_html('<a href="{}">#{}</a>', url, obj.comment_id)
        return f"#{obj.comment_ref} (deleted)" if obj.comment_ref else "–"

    @admin.display(description="reader", ordering="subject_user__username")
    def subject(self, obj: AuditEntry) -> str:
        if obj.subject_user is None:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            author_queue_url(obj.subject_user_id),
            obj.subject_user.username,
        )

    @admin.display(description="status")
    def change(self, obj: AuditEntry) -> str:
        if obj.before or obj.after:
            return f"{obj.before or '–'} → {obj.after or '–'}"
        return "–"

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
                appeals.appeal_decide(appeal=appeal, moderator=request.user,
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
            bans.user_unban(user=account, moderator=request.user)
        self.message_user(request, f"Lifted {queryset.count()} ban(s).",
                          messages.SUCCESS)  # fmt: skip


# The queue's and the policy bundles' admin live in modules of their own.
from . import bundles_admin, queue_admin  # noqa: E402, F401
