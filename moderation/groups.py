"""The Editors and Moderators groups and what each may do in the admin.

Kept in step after every `migrate` (and every test flush) by a post_migrate
receiver, so a new model's permissions reach the groups with the model itself.
"""

from django.contrib.auth.models import Group, Permission

from accounts.models import EDITORS_GROUP, MODERATORS_GROUP

GRANTS = {
    EDITORS_GROUP: [
        ("articles", "article", ["add", "change", "delete", "view"]),
        ("articles", "topic", ["add", "change", "delete", "view"]),
        ("moderation", "term", ["add", "change", "delete", "view"]),
        ("moderation", "policybundle", ["add", "change", "delete", "view"]),
        ("moderation", "articlepolicy", ["add", "change", "delete", "view"]),
        ("moderation", "topicpolicy", ["add", "change", "delete", "view"]),
    ],
    MODERATORS_GROUP: [
        ("articles", "article", ["view"]),
        ("accounts", "user", ["view"]),
        ("comments", "comment", ["view"]),
        ("moderation", "queueitem", ["view", "change"]),
        ("moderation", "bannedaccount", ["view", "change"]),
        ("moderation", "term", ["add", "change", "delete", "view"]),
        ("moderation", "guestban", ["add", "change", "delete", "view"]),
        ("moderation", "flag", ["view"]),
        ("moderation", "verdict", ["view"]),
        ("moderation", "auditentry", ["view"]),
        ("moderation", "appeal", ["view", "change"]),
        ("moderation", "trustedflagger", ["add", "change", "delete", "view"]),
        ("moderation", "surge", ["add", "change", "view"]),
        ("moderation", "toxicityexample", ["view", "delete"]),
        ("moderation", "policybundle", ["view"]),
    ],
}


def ensure_groups(**kwargs) -> None:
    """Create the groups if missing and give each the permissions listed above."""
    for name, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, actions in grants:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename__in=[f"{a}_{model}" for a in actions],
                )
            )
