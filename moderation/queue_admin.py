"""The moderation queue in /admin/: each waiting comment, why it waits, and the
buttons that decide it or ban its author."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from accounts.models import User
from comments.models import Comment
from core.exceptions import Conflict

from . import bans, selectors, services
from .classifiers import score_lines
from .forms import BanForm, DecideForm, GuestBanForm
from .models import (
    Action,
    AuditEntry,
    Flag,
    GuestBan,
    QueueItem,
    RuleName,
    Verdict,
)

QUEUE_URL = "admin:moderation_queueitem_changelist"
CHANGE_URL = "admin:moderation_queueitem_change"
# What a service may refuse with; the moderator reads it and nothing changes.
REFUSALS = (PermissionDenied, ValidationError, Conflict)
EVERY_STATUS = "all"


def _count(queryset, field: str = "pk"):
    counted = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def _by_same_author(**conditions):
    """How many comments the outer row's author has under these conditions: by
    the same account, or, for a guest, from the same address."""
    account = Q(author_id=OuterRef("author_id"))
    guest = Q(author__isnull=True, guest_email=OuterRef("guest_email"))
    same = account | (guest & ~Q(guest_email=""))
    # Every row the subquery counts shares one guest_email ("" for an account).
    return _count(Comment.objects.filter(same, **conditions), "guest_email")


def _lines(items) -> SafeString:
    """Each item (escaped unless already safe) on a line of its own."""
    return format_html_join(mark_safe("<br>"), "{}", ((item,) for item in items))


def _short(text: str, chars: int) -> str:
    """Text cut to `chars`, with any word too long to wrap cut too, so one
    unbroken link cannot push the columns off the page."""
    words = [w if len(w) <= 40 else f"{w[:39]}…" for w in text.split()]
    return Truncator(" ".join(words)).chars(chars)


def _state_text(comment: Comment) -> str:
    if comment.status == Comment.Status.PENDING:
        return "Pending: the machine has not decided yet"
    if comment.status == Comment.Status.APPROVED:
        return "Published"
    return comment.get_status_display()


def author_queue_url(who: int | str) -> str:
    """The list of every comment by an author: an account's id or a guest's
    address."""
    query = urlencode({"author": who, "state": EVERY_STATUS})
    return f"{reverse(QUEUE_URL)}?{query}"


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
    fields = (
        "created_at",
        "revision",
        "action",
        "policy",
        "reason_text",
        "scores_text",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="scores")
    def scores_text(self, obj: Verdict) -> str:
        return _lines(score_lines(obj.scores, signals=True)) or "–"


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
        return queryset.filter(selectors.fired(self.value()))


class StateFilter(admin.SimpleListFilter):
    """What the list shows: the queue (every comment waiting, by default), one
    reason for waiting, or every comment whatever its status."""

    title = "waiting because"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        held, pending = Comment.Status.HELD, Comment.Status.PENDING
        return [(held, "Held"), (pending, "Pending"), (selectors.FLAGGED, "Flagged"),
                (EVERY_STATUS, "Any status (decided too)")]  # fmt: skip

    def choices(self, changelist):
        for i, choice in enumerate(super().choices(changelist)):
            yield {**choice, "display": "Waiting, any reason"} if i == 0 else choice

    def queryset(self, request, queryset):
        if self.value() == EVERY_STATUS:
            return queryset
        queryset = queryset.filter(pk__in=selectors.queue().values("pk"))
        if self.value() == selectors.FLAGGED:
            return queryset.filter(open_flags__gt=0)
        if self.value() in {Comment.Status.HELD, Comment.Status.PENDING}:
            return queryset.filter(status=self.value())
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """One author's comments: an account's id, or a guest's address. Each row's
    history links here; the sidebar shows it only while it is in use (a filter
    with no choice to show would be dropped, so one naming nobody has one)."""

    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        if value.isdigit():
            user = User.objects.filter(pk=value).only("username").first()
            return [(value, user.username if user else "nobody by that id")]
        return [(value, f"{value} (guest)")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(author_id=value)
        return queryset.filter(author__isnull=True, guest_email=value.strip().lower())


DONE = {
    Action.APPROVE: "Approved",
    Action.REJECT: "Rejected",
    Action.SPAM: "Marked as spam",
}


@admin.register(QueueItem)
class QueueAdmin(admin.ModelAdmin):
    """The queue: what waits for a moderator, oldest first, three columns wide;
    each comment's page decides it, bans its author or a guest's address."""

    list_display = ("comment", "author_history", "why")
    list_display_links = None
    list_filter = (StateFilter, ReasonFilter, "article", AuthorFilter)
    list_select_related = ("article", "author")
    search_fields = ("body", "author__username", "guest_email", "guest_name")
    ordering = ("created_at", "pk")
    list_per_page = 50
    # The filters narrow every comment to the queue; a total of all of them
    # would only mislead (and cost a count).
    show_full_result_count = False
    actions = (
        "approve",
        "reject",
        "mark_spam",
        "ban_week",
        "ban_forever",
        "shadow_ban",
    )
    inlines = (FlagInline, VerdictInline, AuditInline)
    # The comment and why it waits head the page (its template), above the
    # decisions; these are the rest of what is known of it.
    fieldsets = (
        (None, {"fields": ("article", "status", "shadowed", "created_at",
                           "edited_at", "revision")}),
        ("Author", {"fields": ("author", "guest_name", "guest_email",
                               "author_history")}),
    )  # fmt: skip
    readonly_fields = ("article", "status", "shadowed", "created_at", "edited_at",
                       "revision", "author", "guest_name", "guest_email",
                       "author_history")  # fmt: skip

    def get_queryset(self, request: HttpRequest):
        """Every comment, so a decided one's page and the audit log's links open;
        StateFilter narrows the list to the queue."""
        flags = Flag.objects.open().filter(comment=OuterRef("pk"))
        flagged = Flag.objects.filter(comment=OuterRef("pk"), counted=True)
        decided = [Comment.Status.REJECTED, Comment.Status.SPAM]
        return QueueItem.objects.annotate(
            open_flags=_count(flags, "comment"),
            author_approved=_by_same_author(status=Comment.Status.APPROVED),
            author_rejected=_by_same_author(status__in=decided),
            author_flagged=_by_same_author(pk__in=flagged.values("comment")),
            guest_banned=Exists(GuestBan.objects.filter(email=OuterRef("guest_email"))),
        ).prefetch_related(
            Prefetch("verdicts", queryset=Verdict.objects.order_by("-revision")),
            Prefetch(
                "flags",
                queryset=Flag.objects.open().order_by("created_at"),
                to_attr="open_flag_list",
            ),
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="comment", ordering="created_at")
    def comment(self, obj: QueueItem) -> str:
        return format_html(
            '<a href="{}">{}</a><br><span class="quiet">on <a href="{}">{}</a> · {}'
            "</span>",
            reverse(CHANGE_URL, args=[obj.pk]),
            _short(obj.body, 160) or "(erased)",
            obj.article.get_absolute_url(),
            _short(obj.article.title, 50),
            f"{obj.created_at:%Y-%m-%d %H:%M}",
        )

    @admin.display(description="author")
    def author_history(self, obj: QueueItem) -> str:
        if obj.author is None:
            name = f"{_short(obj.guest_name, 30)} <{_short(obj.guest_email, 40)}>"
            who = format_html("{} · guest", name)
            standing = "address banned" if obj.guest_banned else ""
        else:
            who = format_html(
                "{}<br>account {} old", _short(obj.author.username, 30),
                timesince(obj.author.date_joined, depth=1),
            )  # fmt: skip
            standing = bans.ban_text(obj.author)
        counts = (
            f"{obj.author_approved} approved · {obj.author_rejected} rejected · "
            f"{obj.author_flagged} flagged"
        )
        return format_html(
            '{}<br><span class="quiet">{}</span>{}<br><a href="{}">{}</a>',
            who,
            counts,
            format_html("<br><strong>{}</strong>", standing) if standing else "",
            author_queue_url(obj.author_id or obj.guest_email),
            "all their comments",
        )

    @admin.display(description="why")
    def why(self, obj: QueueItem) -> str:
        """Where it stands, readers' flags, the latest decision's reasons and
        the machine's scores, each on a line."""
        state = _state_text(obj)
        if flags := obj.open_flag_list:
            reasons = sorted({f.get_reason_display().lower() for f in flags})
            state += f" · {len(flags)} open flag(s): {', '.join(reasons)}"
        verdicts = list(obj.verdicts.all())
        verdict = verdicts[0] if verdicts else None
        if obj.decision:
            reasons = obj.decision.get("reasons", [])
        else:
            reasons = [r["reason"] for r in verdict.reasons] if verdict else []
        scores = score_lines(verdict.scores) if verdict else []
        lines = [format_html("<strong>{}</strong>", state)]
        lines += [_short(reason, 200) for reason in reasons]
        if scores:
            lines.append(format_html('<span class="quiet">{}</span>', _lines(scores)))
        return _lines(lines)

    # --- One comment's page: decide it, ban its author or a guest's address ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        views = {"decide": self.decide_view, "ban": self.ban_view,
                 "guest_ban": self.guest_ban_view}  # fmt: skip
        return [
            *(
                path(
                    f"<path:object_id>/{key.replace('_', '-')}/",
                    wrap(require_POST(view)),
                    name=f"{name}_{key}",
                )
                for key, view in views.items()
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Read-only: decisions are the forms above it, never a save of the row.
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False,
                           form_url="", obj=None):  # fmt: skip
        context.update(show_save=False, show_save_and_continue=False,
                       show_save_and_add_another=False, show_delete=False)  # fmt: skip
        if obj is not None:
            context["why"] = self.why(obj)
        if obj is not None and request.user.is_moderator:
            kw = {
                "initial": {"seen": services.seen_marks([obj.pk]).get(obj.pk, 0)},
                "label_suffix": "",
            }
            guest = obj.author_id is None and obj.guest_email
            context.update(
                decide_form=DecideForm(auto_id="decide_%s", **kw),
                ban_form=BanForm(auto_id="ban_%s", **kw) if obj.author_id else "",
                guest_ban_form=GuestBanForm(auto_id="guest_%s", **kw) if guest else "",
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _acting_on(self, request, object_id: str) -> Comment:
        if not request.user.is_moderator:
            raise PermissionDenied("Only moderators decide comments.")
        comment = None
        if object_id.isdigit():
            comment = Comment.objects.select_related("author").filter(pk=object_id)
            comment = comment.first()
        if comment is None:
            raise Http404("No such comment.")
        return comment

    def _refused(self, request, comment: Comment, problem) -> HttpResponse:
        if isinstance(problem, forms.Form):
            text = " ".join(m for errors in problem.errors.values() for m in errors)
        elif isinstance(problem, ValidationError):
            text = " ".join(problem.messages)
        else:
            text = str(problem) or "Refused."
        self.message_user(request, f"Nothing changed: {text}", messages.ERROR)
        return redirect(reverse(CHANGE_URL, args=[comment.pk]))

    def _next(self, comment: Comment) -> HttpResponse:
        """The next comment in the queue after this one, the oldest if none is
        later, or the queue itself once it is empty."""
        waiting = selectors.queue().exclude(pk=comment.pk).order_by("created_at", "pk")
        later = Q(created_at__gt=comment.created_at) | Q(
            created_at=comment.created_at, pk__gt=comment.pk
        )
        ids = waiting.values_list("pk", flat=True)
        pk = ids.filter(later).first() or ids.first()
        return redirect(reverse(CHANGE_URL, args=[pk]) if pk else reverse(QUEUE_URL))

    def _reject(self, request, comment: Comment, data: dict) -> bool:
        if not data["reject"] or comment.status in (Comment.Status.REJECTED,
                                                    Comment.Status.SPAM):  # fmt: skip
            return False
        services.moderator_decide(comment=comment, moderator=request.user,
                                  action=Action.REJECT, reason=data["reason"],
                                  seen=data["seen"])  # fmt: skip
        return True

    def decide_view(self, request, object_id: str) -> HttpResponse:
        comment = self._acting_on(request, object_id)
        form = DecideForm(request.POST)
        if not form.is_valid():
            return self._refused(request, comment, form)
        data = form.cleaned_data
        try:
            services.moderator_decide(comment=comment, moderator=request.user,
                                      action=data["action"], reason=data["reason"],
                                      seen=data["seen"])  # fmt: skip
        except REFUSALS as exc:
            return self._refused(request, comment, exc)
        done = DONE[Action(data["action"])]
        self.message_user(request, f"{done}: comment #{comment.pk}.", messages.SUCCESS)
        return self._next(comment)

    def ban_view(self, request, object_id: str) -> HttpResponse:
        comment = self._acting_on(request, object_id)
        if comment.author is None:
            return self._refused(request, comment, "a guest wrote it; ban the address.")
        form = BanForm(request.POST)
        if not form.is_valid():
            return self._refused(request, comment, form)
        data = form.cleaned_data
        days = bans.BAN_DAYS[data["days"]]
        until = bans.ban_until(days)
        try:
            with transaction.atomic():
                rejected = self._reject(request, comment, data)
                bans.user_ban(user=comment.author, moderator=request.user,
                                  reason=data["reason"], until=until,
                                  shadow=data["shadow"], comment=comment)  # fmt: skip
        except REFUSALS as exc:
            return self._refused(request, comment, exc)
        kind = "Shadow-banned" if data["shadow"] else "Banned"
        length = f"for {days} day(s)" if days else "permanently"
        also = f"; comment #{comment.pk} rejected" if rejected else ""
        self.message_user(request, f"{kind} {comment.author.username} {length}{also}.",
                          messages.SUCCESS)  # fmt: skip
        return self._next(comment)

    def guest_ban_view(self, request, object_id: str) -> HttpResponse:
        comment = self._acting_on(request, object_id)
        if comment.author_id is not None or not comment.guest_email:
            return self._refused(request, comment, "this comment is not a guest's.")
        form = GuestBanForm(request.POST)
        if not form.is_valid():
            return self._refused(request, comment, form)
        data = form.cleaned_data
        try:
            with transaction.atomic():
                rejected = self._reject(request, comment, data)
                ban = bans.guest_ban(email=comment.guest_email,
                                         moderator=request.user,
                                         reason=data["reason"])  # fmt: skip
        except REFUSALS as exc:
            return self._refused(request, comment, exc)
        also = f"; comment #{comment.pk} rejected" if rejected else ""
        self.message_user(request, f"Banned the guest address {ban.email}{also}.",
                          messages.SUCCESS)  # fmt: skip
        return self._next(comment)

    # --- Bulk actions on the list ---

    def _decide(self, request, queryset, action: Action) -> None:
        done = 0
        for comment in queryset:
            try:
                services.moderator_decide(
                    comment=comment, moderator=request.user, action=action
                )
                done += 1
            except REFUSALS as exc:
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
            until = bans.ban_until(days)
            try:
                bans.user_ban(
                    user=comment.author,
                    moderator=request.user,
                    until=until,
                    shadow=shadow,
                    comment=comment,
                    reason=f"From the moderation queue, over comment #{comment.pk}.",
                )
                banned.add(comment.author_id)
            except REFUSALS as exc:
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
