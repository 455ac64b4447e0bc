"""Move the limits editors set on articles into policy bundles.

Articles that set a toxicity or spam threshold or a link limit get the bundle
holding exactly those values (one bundle per distinct set, the rest left at the
site default), so every discussion is moderated as before. Runs before the
articles migration that drops the old columns, so that the articles app's
migrations need not know of moderation.
"""

from django.db import migrations

FIELDS = ("toxicity_threshold", "spam_threshold", "link_limit")


def bundle_name(values: tuple) -> str:
    toxicity, spam, links = values
    parts = []
    if toxicity is not None:
        parts.append(f"toxicity {toxicity:.2f}")
    if spam is not None:
        parts.append(f"spam {spam:.2f}")
    if links is not None:
        parts.append(f"links {links}")
    return f"Moved from articles: {', '.join(parts)}"[:100]


def move_limits_to_bundles(apps, schema_editor) -> None:
    Article = apps.get_model("articles", "Article")
    PolicyBundle = apps.get_model("moderation", "PolicyBundle")
    ArticlePolicy = apps.get_model("moderation", "ArticlePolicy")
    bundles = {}
    own = Article.objects.exclude(
        toxicity_threshold__isnull=True, spam_threshold__isnull=True,
        link_limit__isnull=True,
    ).values_list("pk", *FIELDS)  # fmt: skip
    for pk, *values in own.iterator():
        values = tuple(values)
        if values not in bundles:
            bundles[values], _ = PolicyBundle.objects.get_or_create(
                name=bundle_name(values),
                defaults={
                    **dict(zip(FIELDS, values, strict=True)),
                    "description": "The limits these articles set themselves.",
                },
            )
        ArticlePolicy.objects.update_or_create(
            article_id=pk, defaults={"bundle": bundles[values]}
        )


def move_limits_back(apps, schema_editor) -> None:
    Article = apps.get_model("articles", "Article")
    ArticlePolicy = apps.get_model("moderation", "ArticlePolicy")
    for chosen in ArticlePolicy.objects.select_related("bundle").iterator():
        bundle = chosen.bundle
        Article.objects.filter(pk=chosen.article_id).update(
            **{name: getattr(bundle, name) for name in FIELDS}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_moderation_thresholds"),
        ("moderation", "0010_policy_bundles_and_surges"),
    ]
    run_before = [("articles", "0003_moderation_limits_move_out")]

    operations = [migrations.RunPython(move_limits_to_bundles, move_limits_back)]
