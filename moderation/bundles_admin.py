"""The admin for moderation policy bundles, kept apart from the queue's.

Editors name a bundle of limits and give it to articles and topics (inlines);
moderators start and end surge mode on an article by hand.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from . import surge as surges
from .models import ArticlePolicy, PolicyBundle, Surge, TopicPolicy


class _OneBundleEach(forms.ModelForm):
    """Refuses, with the other bundle's name, a second bundle for one article
    or topic (each follows one bundle)."""

    target = ""  # the assignment's one-to-one field

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get(self.target)
        if chosen is None:
            return cleaned
        other = (
            type(self.instance)
            .objects.filter(**{self.target: chosen})
            .exclude(pk=self.instance.pk)
            .select_related("bundle")
            .first()
        )
        if other is not None:
            self.add_error(
                self.target,
                f"“{chosen}” already follows the bundle “{other.bundle}”; "
                "remove it there first.",
            )
        return cleaned


class ArticlePolicyForm(_OneBundleEach):
    target = "article"

    class Meta:
        model = ArticlePolicy
        fields = ("article",)


class TopicPolicyForm(_OneBundleEach):
    target = "topic"

    class Meta:
        model = TopicPolicy
        fields = ("topic",)


class ArticlePolicyInline(admin.TabularInline):
    model = ArticlePolicy
    form = ArticlePolicyForm
    autocomplete_fields = ("article",)
    extra = 1


class TopicPolicyInline(admin.TabularInline):
    model = TopicPolicy
    form = TopicPolicyForm
    autocomplete_fields = ("topic",)
    extra = 1


@admin.register(PolicyBundle)
class PolicyBundleAdmin(admin.ModelAdmin):
    """Named limits for discussions; an empty limit is the site default."""

    list_display = ("name", "policy", "toxicity_threshold", "spam_threshold",
                    "link_limit", "hold_first_comment", "flags_to_hold",
                    "guest_comments", "updated_at")  # fmt: skip
    list_filter = ("policy",)
    search_fields = ("name", "description")
    inlines = (ArticlePolicyInline, TopicPolicyInline)
    fieldsets = (
        (None, {"fields": ("name", "description", "policy")}),
        (
            "Limits (empty: the site default)",
            {
                "fields": (
                    "toxicity_threshold",
                    "spam_threshold",
                    "link_limit",
                    "hold_first_comment",
                    "flags_to_hold",
                    "guest_comments",
                )
            },
        ),
    )


class SurgeStartForm(forms.ModelForm):
    class Meta:
        model = Surge
        fields = ("article", "reason")
        help_texts = {"reason": "Why, for the audit log and the other moderators."}

    def clean_article(self):
        article = self.cleaned_data["article"]
        current = Surge.objects.open().filter(article=article).first()
        if current is not None:
            raise forms.ValidationError(
                f"“{article}” has been in surge mode since "
                f"{current.started_at:%Y-%m-%d %H:%M} UTC."
            )
        return article


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "In surge mode now"), ("no", "Ended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.filter(ended_at__isnull=False)
        return queryset


@admin.register(Surge)
class SurgeAdmin(admin.ModelAdmin):
    """Spells of surge mode; adding one starts it on an article by hand."""

    list_display = ("article", "started_at", "started_by_name", "reason",
                    "ended_at", "ended_by_name", "end_reason")  # fmt: skip
    list_filter = (OpenFilter,)
    list_select_related = ("article", "started_by", "ended_by")
    search_fields = ("article__title", "reason")
    autocomplete_fields = ("article",)
    actions = ("end_surges",)
    readonly_fields = ("article", "started_at", "started_by", "reason", "ended_at",
                       "ended_by", "end_reason")  # fmt: skip

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SurgeStartForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return SurgeStartForm.Meta.fields if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record of when a story was pre-moderated stays

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        started = surges.surge_start(
            article=obj.article,
            moderator=request.user,
            reason=obj.reason or f"Started by {request.user.username}.",
        )
        obj.pk, obj.started_at, obj.started_by = (
            started.pk,
            started.started_at,
            started.started_by,
        )

    @admin.display(description="started by")
    def started_by_name(self, obj: Surge) -> str:
        return obj.started_by.username if obj.started_by else "machine"

    @admin.display(description="ended by")
    def ended_by_name(self, obj: Surge) -> str:
        if obj.ended_at is None:
            return "–"
        return obj.ended_by.username if obj.ended_by else "machine"

    @admin.action(description="End surge mode on the selected", permissions=["change"])
    def end_surges(self, request: HttpRequest, queryset) -> None:
        ended = 0
        for surge in queryset.open().select_related("article"):
            try:
                surges.surge_end(
                    article=surge.article,
                    moderator=request.user,
                    reason=f"Ended by {request.user.username}.",
                )
                ended += 1
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.WARNING)
                return
        self.message_user(
            request, f"Surge mode ended on {ended} article(s).", messages.SUCCESS
        )
