"""The moderation rules, in the order they run. Each looks at one thing and,
when it fires, says what should happen and why, in a moderator's words."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from articles.models import Article
from comments.models import Comment, GuestAddress
from core.text import contains_phrase

from . import repeat
from .bundles import EffectivePolicy, policy_for
from .classifiers import Score
from .models import Action, GuestBan, RuleName, Term

SEVERITY = {Action.APPROVE: 0, Action.HOLD: 1, Action.REJECT: 2, Action.SPAM: 3}
_LINK = re.compile(r"https?://|www\.|mailto:", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    rule: RuleName
    action: Action
    reason: str
    shadow: bool = False

    def __post_init__(self) -> None:
        # Only names moderators can filter by: an unknown one fails at once.
        object.__setattr__(self, "rule", RuleName(self.rule))

    def as_json(self) -> dict:
        return {
            "rule": str(self.rule),
            "action": self.action.value,
            "reason": self.reason,
        }


@dataclass
class Context:
    comment: Comment
    article: Article
    folded: str
    scores: dict[str, Score]
    terms: list[Term]

    @cached_property
    def policy(self) -> EffectivePolicy:
        """The article's limits: its bundle, its topics', or the site's."""
        return policy_for(self.article)

    def threshold(self, name: str) -> float:
        return getattr(self.policy, f"{name}_threshold")

    @cached_property
    def author_removals(self) -> int | None:
        """The account's comments removed lately (repeat.removals); None for a
        guest. Counted once per comment moderated."""
        author_id = self.comment.author_id
        return None if author_id is None else repeat.removals(author_id=author_id)


Rule = Callable[[Context], Finding | None]


def author_banned(ctx: Context) -> Finding | None:
    author = ctx.comment.author
    if author is not None and author.is_shadow_banned:
        return Finding(
            RuleName.SHADOW_BAN,
            Action.REJECT,
            "The author is shadow-banned: only they see it.",
            shadow=True,
        )
    if author is not None and author.is_banned:
        return Finding(RuleName.BAN, Action.REJECT, "The author is banned.")
    email = ctx.comment.guest_email
    if author is None and email and GuestBan.objects.filter(email=email).exists():
        return Finding(
            RuleName.GUEST_BAN, Action.REJECT, f"The guest address {email} is banned."
        )
    return None


def _term_rule(kind: str, name: RuleName, action: Action, word: str) -> Rule:
    def rule(ctx: Context) -> Finding | None:
        hits = [
            t.phrase
            for t in ctx.terms
            if t.kind == kind and contains_phrase(ctx.folded, t.normalised)
        ]
        if not hits:
            return None
        listed = ", ".join(f"“{h}”" for h in hits[:5])
        return Finding(name, action, f"Contains {word} {listed}.")

    rule.__name__ = f"{kind}_terms"
    return rule


banned_terms = _term_rule(
    Term.Kind.BANNED, RuleName.BANNED_TERM, Action.REJECT, "the banned term(s)"
)
watched_terms = _term_rule(
    Term.Kind.WATCHED, RuleName.WATCHED_TERM, Action.HOLD, "the watched term(s)"
)


def link_count(body: str) -> int:
    """How many links a comment's text holds, as the links rule counts them."""
    return len(_LINK.findall(body))


def too_many_links(ctx: Context) -> Finding | None:
    limit = ctx.policy.link_limit
    links = link_count(ctx.comment.body)
    if links > limit:
        return Finding(
            RuleName.LINKS,
            Action.HOLD,
            f"Has {links} links; this discussion allows {limit}.",
        )
    return None


def first_comment(ctx: Context) -> Finding | None:
    comment = ctx.comment
    approved = Comment.objects.filter(status=Comment.Status.APPROVED)
    if comment.author_id:
        if not ctx.policy.hold_first_comment:
            return None
        if approved.filter(author_id=comment.author_id).exists():
            return None
        return Finding(
            RuleName.FIRST_COMMENT,
            Action.HOLD,
            "First comment from this account: a moderator looks once.",
        )
    confirmed = GuestAddress.objects.filter(
        email=comment.guest_email, confirmed_at__isnull=False
    )
    if not confirmed.exists():
        return Finding(
            RuleName.UNCONFIRMED_GUEST,
            Action.HOLD,
            "The guest has not confirmed their e-mail address: a moderator decides.",
        )
    if approved.filter(author__isnull=True, guest_email=comment.guest_email).exists():
        return None
    return Finding(
        RuleName.FIRST_COMMENT,
        Action.HOLD,
        "First comment from this guest address: a moderator looks once.",
    )


def repeat_abuse(ctx: Context) -> Finding | None:
    count = ctx.author_removals
    if count is None or not repeat.is_repeat(count):
        return None
    return Finding(RuleName.REPEAT_ABUSE, Action.HOLD, repeat.hold_reason(count))


def _score_rule(name: RuleName, action: Action, words: str) -> Rule:
    def rule(ctx: Context) -> Finding | None:
        score = ctx.scores.get(name)
        threshold = ctx.threshold(name)
        if score is None or score.score < threshold:
            return None
        why = f" ({'; '.join(score.signals)})" if score.signals else ""
        return Finding(
            name,
            action,
            f"{words} {score.score:.2f}, at or above {threshold:.2f}{why}.",
        )

    rule.__name__ = str(name)
    return rule


toxicity = _score_rule(RuleName.TOXICITY, Action.HOLD, "Toxicity score")
spam = _score_rule(RuleName.SPAM, Action.SPAM, "Spam score")


def policy_finding(ctx: Context) -> Finding | None:
    if ctx.policy.premoderated:
        return Finding(
            RuleName.POLICY,
            Action.HOLD,
            "Every comment on this article waits for a moderator.",
        )
    if not ctx.article.accepts_comments:
        return Finding(
            RuleName.POLICY, Action.HOLD, "The discussion closed before a decision."
        )
    return None


def guests_held(ctx: Context) -> Finding | None:
    if ctx.comment.author_id or ctx.policy.guest_comments:
        return None
    return Finding(
        RuleName.POLICY,
        Action.HOLD,
        "Guests' comments on this article wait for a moderator.",
    )


def surge(ctx: Context) -> Finding | None:
    if not ctx.policy.busy:
        return None
    return Finding(
        RuleName.SURGE,
        Action.HOLD,
        "This story is busy (surge mode): every comment waits for a moderator.",
    )


RULES: list[Rule] = [
    author_banned, banned_terms, watched_terms, too_many_links,
    first_comment, repeat_abuse, toxicity, spam,
    policy_finding, guests_held, surge,
]  # fmt: skip


def evaluate(ctx: Context) -> tuple[Action, bool, list[Finding]]:
    """Run every rule; the most severe finding decides (approve when none fires)."""
    findings = [f for rule in RULES if (f := rule(ctx))]
    if any(f.shadow for f in findings):
        return Action.REJECT, True, findings
    action = max((f.action for f in findings), key=SEVERITY.get, default=Action.APPROVE)
    return action, False, findings
