"""The moderation policy in plain words, written from the live configuration, so
the page readers are sent to can never disagree with what the machine does."""

from django.conf import settings
from django.urls import reverse

from .flags import NEW_ACCOUNT, POOR_RECORD
from .models import Term


def _percent(value: float) -> str:
    return f"{value:.0%}"


def policy_rules() -> list[dict]:
    """Each rule as a reader needs it: what happens, and when."""
    rules = [
        {
            "what": "Held for a moderator",
            "when": "Our abuse model finds it at least "
            f"{_percent(settings.MODERATION_TOXICITY_THRESHOLD)} likely to be abusive "
            "(threats, insults aimed at a person, harassment). Sharp criticism of "
            "policies, companies and public figures' work is welcome.",
        },
        {
            "what": "Marked as spam",
            "when": "Our spam model, which learns from moderators' decisions, finds "
            f"it at least {_percent(settings.MODERATION_SPAM_THRESHOLD)} likely "
            "to be spam.",
        },
        {
            "what": "Held for a moderator",
            "when": f"It has more than {settings.MODERATION_LINK_LIMIT} links.",
        },
        {
            "what": "Rejected or held",
            "when": f"It contains a banned phrase (we keep "
            f"{Term.objects.filter(kind=Term.Kind.BANNED).count()}) or, held, a "
            f"watched one ({Term.objects.filter(kind=Term.Kind.WATCHED).count()}); "
            "spelling tricks and accents do not hide them.",
        },
        {
            "what": "Held for a moderator",
            "when": "It is a guest's comment from an e-mail address not yet "
            "confirmed by the link we send, or the first from a confirmed one.",
        },
        {
            "what": "Held for a moderator",
            "when": f"Readers' flags weigh {settings.MODERATION_FLAGS_TO_HOLD}: each "
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
    if settings.MODERATION_HOLD_NEW_ACCOUNTS:
        rules.append({
            "what": "Held for a moderator",
            "when": "It is the first comment of an account; once one is approved, "
            "the next appear at once.",
        })  # fmt: skip
    return rules


def policy_context() -> dict:
    minutes = int(settings.COMMENT_EDIT_WINDOW.total_seconds() // 60)
    return {
        "rules": policy_rules(),
        "edit_minutes": minutes,
        "appeal_days": settings.MODERATION_APPEAL_DAYS,
        "transparency_url": reverse("moderation:transparency"),
    }
