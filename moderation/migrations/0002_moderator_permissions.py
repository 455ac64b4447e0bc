"""Give Moderators the moderation models and Editors the banned and watched terms."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Moderators": [
        ("moderation", "queueitem", ["view", "change"]),
        ("moderation", "term", ["add", "change", "delete", "view"]),
        ("moderation", "guestban", ["add", "change", "delete", "view"]),
        ("moderation", "flag", ["view"]),
        ("moderation", "verdict", ["view"]),
        ("moderation", "auditentry", ["view"]),
        ("comments", "comment", ["view"]),
    ],
    "Editors": [
        ("moderation", "term", ["add", "change", "delete", "view"]),
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in GRANTS.items():
        group = Group.objects.get(name=group_name)
        for app_label, model, actions in grants:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    codename__in=[f"{a}_{model}" for a in actions],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("articles", "0002_editor_and_moderator_groups"),
        ("comments", "0002_comment_shadowed"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
