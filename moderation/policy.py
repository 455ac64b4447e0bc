"""The moderation policy in plain words, written from the live configuration, so
the page readers are sent to can never disagree with what the machine does."""

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from articles.models import Article

from .bundles import site_defaults
from .flags import NEW_ACCOUNT, POOR_RECORD
from .models import ArticlePolicy, PolicyBundle, Term


def _percent(value: float) -> str:
    return f"{value:.0%}"


def policy_rules() -> list[dict]:
    """Each rule as a reader needs it: what happens, and when, under the site's
    limits."""
    limits = site_defaults()
    terms = Term.objects.aggregate(
        banned=Count("pk", filter=Q(kind=Term.Kind.BANNED)),
        watched=Count("pk", filter=Q(kind=Term.Kind.WATCHED)),
    )
    rules = [
        {
            "what": "Held for a moderator",
            "when": "Our abuse model finds it at least "
            f"{_percent(limits.toxicity_threshold)} likely to be abusive "
            "(threats, insults aimed at a person, harassment). Sharp criticism of "
            "policies, companies and public figures' work is welcome.",
        },
        {
            "what": "Marked as spam",
            "when": "Our spam model, which learns from moderators' decisions, finds "
            f"it at least {_percent(limits.spam_threshold)} likely "
            "to be spam.",
        },
        {
            "what": "Held for a moderator",
            "when": f"It has more than {limits.link_limit} links.",
        },
        {
            "what": "Rejected or held",
            "when": f"It contains a banned phrase (we keep {terms['banned']}) or, "
            f"held, a watched one ({terms['watched']}); "
            "spelling tricks and accents do not hide them.",
        },
        {
            "what": "Held for a moderator",
            "when": "It is a guest's comment from an e-mail address not yet "
            "confirmed by the link we send, or the first from a confirmed one.",
        },
        {
            "what": "Held for a moderator",
            "when": f"Readers' flags weigh {limits.flags_to_hold:g}: each "
            f"weighs 1, {NEW_ACCOUNT:g} from an account younger than "
            f"{settings.MODERATION_FLAG_MIN_ACCOUNT_AGE} days and {POOR_RECORD:g} "
            "from a reader whose flags moderators mostly turned down.",
        },
        {
            "what": "Refused when posted",
            "when": "It repeats one of your own comments of the last "
            f"{settings.COMMENT_DUPLICATE_WINDOW.days} days.",
        },
    ]
    rules.append(_surge_rule())
    if limits.hold_first_comment:
        rules.append({
            "what": "Held for a moderator",
            "when": "It is the first comment of an account; once one is approved, "
            "the next appear at once.",
        })  # fmt: skip
    rules.append({
        "what": "Held for a moderator",
        "when": f"{settings.MODERATION_REPEAT_REJECTIONS} or more of the author's "
        "comments were rejected or marked as spam in the last "
        f"{settings.MODERATION_REPEAT_DAYS} days (a decision reversed on appeal does "
        "not count). The author is told by e-mail when this starts, and it ends by "
        "itself.",
    })  # fmt: skip
    return rules


def _surge_rule() -> dict:
    return {
        "what": "Held for a moderator",
        "when": "The story is busy: comments arrive at "
        f"{settings.MODERATION_SURGE_FACTOR:g} times its usual rate (at least "
        f"{settings.MODERATION_SURGE_MIN_COMMENTS} in "
        f"{settings.MODERATION_SURGE_WINDOW_MINUTES} minutes), or many readers flag "
        "it at once. The discussion says so while it lasts.",
    }


def _differs(bundle: PolicyBundle) -> str:
    """What a bundle changes from the site's rules, in a reader's words."""
    parts = []
    if bundle.policy == PolicyBundle.Policy.PREMODERATED:
        parts.append("every comment waits for a moderator")
    if bundle.toxicity_threshold is not None:
        parts.append(f"abuse held from {_percent(bundle.toxicity_threshold)}")
    if bundle.spam_threshold is not None:
        parts.append(f"spam from {_percent(bundle.spam_threshold)}")
    if bundle.link_limit is not None:
        parts.append(f"at most {bundle.link_limit} links")
    if bundle.hold_first_comment is not None:
        held = "held" if bundle.hold_first_comment else "not held"
        parts.append(f"an account's first comment {held}")
    if bundle.flags_to_hold is not None:
        parts.append(f"flags weighing {bundle.flags_to_hold} hold a comment")
    if bundle.guest_comments is False:
        parts.append("guests' comments wait for a moderator")
    return "; ".join(parts).capitalize() or "The site's rules."


def bundles_in_use() -> list[dict]:
    """The bundles some published article or topic follows, with what they change."""
    live = Article.objects.published()
    used = (
        PolicyBundle.objects.filter(
            Q(article_policies__article__in=live) | Q(topic_policies__isnull=False)
        )
        .distinct()
        .prefetch_related(
            "topic_policies__topic",
            Prefetch(
                "article_policies",
                queryset=ArticlePolicy.objects.filter(article__in=live),
                to_attr="live_policies",
            ),
        )
    )
    return [
        {
            "name": bundle.name,
            "differs": _differs(bundle),
            "topics": [tp.topic for tp in bundle.topic_policies.all()],
            "articles": len(bundle.live_policies),
        }
        for bundle in used
    ]


def policy_context() -> dict:
    minutes = int(settings.COMMENT_EDIT_WINDOW.total_seconds() // 60)
    return {
        "rules": policy_rules(),
        "bundles": bundles_in_use(),
        "edit_minutes": minutes,
        "appeal_days": settings.MODERATION_APPEAL_DAYS,
        "transparency_url": reverse("moderation:transparency"),
    }
