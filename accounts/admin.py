from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .forms import SignOutEverywhereAdminPasswordForm
from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = SignOutEverywhereAdminPasswordForm
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "ban_is_shadow")
    search_fields = ("username", "display_name", "email")
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
