from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.template.response import TemplateResponse

from . import services
from .forms import SignOutEverywhereAdminPasswordForm
from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = SignOutEverywhereAdminPasswordForm
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "ban_is_shadow")
    search_fields = ("username", "display_name", "email")
    actions = ["erase_accounts"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # The pages that show the account's old name are rebuilt.
        if change and {"username", "display_name"} & set(form.changed_data):
            services.announce_rename(user_id=obj.pk)

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Reader", {"fields": ("display_name", "reply_emails", "decision_emails")}),
        (
            "Ban",
            {
                "fields": (
                    "banned_until",
                    "ban_is_permanent",
                    "ban_is_shadow",
                    "ban_reason",
                )
            },
        ),
    )

    def get_actions(self, request):
        # Deleting an account outright would drop its votes without moving the
        # scores and cut the audit log's links: erasing is the way out.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may hand out staff status, groups or permissions.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "password1", "password2"),
            },
        ),
    )

    @admin.action(
        description="Erase the selected accounts and what they hold",
        permissions=["delete"],
    )
    def erase_accounts(self, request, queryset):
        """Erase each account as its owner can (services.user_erase), after a
        confirmation page; each erasure is audited under the administrator."""
        accounts = list(queryset.order_by("pk"))
        refused = [u for u in accounts if u.pk == request.user.pk
                   or (u.is_superuser and not request.user.is_superuser)]  # fmt: skip
        accounts = [u for u in accounts if u not in refused]
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "accounts/admin_erase_confirm.html", {
                **self.admin_site.each_context(request),
                "title": "Erase accounts",
                "opts": self.model._meta,
                "accounts": accounts,
                "refused": refused,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            })  # fmt: skip
        with transaction.atomic():
            erased = sum(
                services.user_erase(user=u, erased_by=request.user) for u in accounts
            )
        if erased:
            self.message_user(request, f"Erased {erased} account(s).", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"Not erased: {', '.join(u.username for u in refused)} (your own "
                "account is deleted from its profile page; a superuser's only by "
                "a superuser).",
                messages.WARNING,
            )
        return None
