"""Verdicts name the rules that fired in a column every database can filter on."""

from django.db import migrations, models


def fill_rule_names(apps, schema_editor):
    from moderation.models import rule_names_of

    Verdict = apps.get_model("moderation", "Verdict")
    changed = []
    for verdict in Verdict.objects.only("reasons").iterator(chunk_size=2000):
        verdict.rule_names = rule_names_of(verdict.reasons)
        changed.append(verdict)
        if len(changed) == 2000:
            Verdict.objects.bulk_update(changed, ["rule_names"])
            changed = []
    Verdict.objects.bulk_update(changed, ["rule_names"])


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_banned_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="verdict",
            name="rule_names",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.RunPython(fill_rule_names, migrations.RunPython.noop),
    ]
