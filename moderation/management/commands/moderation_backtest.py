"""Replay stored comments through a proposed moderation configuration."""

from django.core.management.base import BaseCommand, CommandError

from moderation import backtest


class Command(BaseCommand):
    help = (
        "Show which stored comments a proposed toxicity threshold or link limit "
        "would decide differently, per rule and per topic. Writes nothing."
    )

    def add_arguments(self, parser) -> None:
        # Read as text and checked by the admin's form, so both refuse alike.
        parser.add_argument("--toxicity-threshold", default="", metavar="X")
        parser.add_argument("--link-limit", default="", metavar="N")
        parser.add_argument("--since", default="30d", help="12h, 30d, 4w, or ''")
        parser.add_argument("--article", default="", metavar="SLUG")
        parser.add_argument("--examples", type=int, default=3, metavar="N")

    def handle(self, *args, **options) -> None:
        form = backtest.BacktestForm(
            data={
                "toxicity_threshold": options["toxicity_threshold"],
                "link_limit": options["link_limit"],
                "since": options["since"],
                "article": options["article"],
            }
        )
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise CommandError(f"--{field.replace('_', '-')}: {errors[0]}")
        result = backtest.run(**form.cleaned_data, examples=options["examples"])
        self.stdout.write(describe(form.cleaned_data, result, options["since"]))


def describe(options: dict, result: backtest.Result, since: str) -> str:
    """The result as the text the command prints."""
    threshold = options["toxicity_threshold"]
    limit = options["link_limit"]
    lines = [
        f"Replayed {result.replayed} comments"
        f"{' on ' + options['article'].slug if options['article'] else ''}"
        f"{' of the last ' + since if since else ''}; "
        f"toxicity threshold {'each article’s' if threshold is None else threshold}, "
        f"link limit {'each article’s' if limit is None else limit}.",
        f"{result.changed} decisions would change"
        + (": " + _counts(result.changes) if result.changed else "."),
    ]
    if result.by_rule:
        lines.append("\nBy rule:")
        for rule, counts, examples in result.rule_rows():
            lines.append(f"  {rule:<14} {_counts(dict(counts))}")
            lines += [f"      #{e.comment_id} ({e.why}): {e.excerpt}" for e in examples]
    if result.by_category:
        lines.append("\nBy topic:")
        for topic, counts in result.topic_rows():
            lines.append(f"  {topic:<30} {_counts(dict(counts))}")
    return "\n".join(lines)


def _counts(counts) -> str:
    return ", ".join(f"{change} {n}" for change, n in sorted(counts.items()))
