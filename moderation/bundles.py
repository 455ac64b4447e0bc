"""Which moderation limits apply to an article: the one home of that answer.

An editor gives an article a policy bundle, or gives one to a topic for every
article filed under it. The article's own bundle comes first, then its topics'
(when its topics have different bundles, each limit is the strictest of
theirs), then the site defaults in settings. A limit a bundle leaves empty is
the site default. A bundle may pre-moderate an open discussion but never
opens a closed one: the article's discussion policy is the editor's, and the
comments app reads it.
"""

from dataclasses import dataclass, replace

from django.conf import settings

from articles.models import Article

from .models import ArticlePolicy, PolicyBundle, TopicPolicy

SITE = "site"
FROM_ARTICLE = "article"
FROM_TOPIC = "topic"


@dataclass(frozen=True)
class EffectivePolicy:
    """The limits one discussion is moderated by, and where they came from."""

    source: str  # SITE, FROM_ARTICLE or FROM_TOPIC
    bundle: str | None  # the bundle's name (names joined for several topics)
    discussion_policy: str  # the article's, made stricter by the bundle
    toxicity_threshold: float
    spam_threshold: float
    link_limit: int
    hold_first_comment: bool  # an account's first comment (a guest's always)
    flags_to_hold: float
    guest_comments: bool  # False: guests' comments wait for a moderator
    busy: bool = False  # in surge mode: every comment waits for a moderator

    @property
    def premoderated(self) -> bool:
        return self.discussion_policy == Article.DiscussionPolicy.PREMODERATED


def site_defaults() -> EffectivePolicy:
    """The limits of a discussion whose article and topics have no bundle."""
    return EffectivePolicy(
        source=SITE,
        bundle=None,
        discussion_policy=Article.DiscussionPolicy.OPEN,
        toxicity_threshold=settings.MODERATION_TOXICITY_THRESHOLD,
        spam_threshold=settings.MODERATION_SPAM_THRESHOLD,
        link_limit=settings.MODERATION_LINK_LIMIT,
        hold_first_comment=settings.MODERATION_HOLD_NEW_ACCOUNTS,
        flags_to_hold=settings.MODERATION_FLAGS_TO_HOLD,
        guest_comments=settings.GUEST_COMMENTS,
    )


def _pick(own, default):
    return default if own is None else own


def _premoderated(policy: str) -> str:
    """An open discussion, pre-moderated; a closed one stays closed."""
    open_ = Article.DiscussionPolicy.OPEN
    return Article.DiscussionPolicy.PREMODERATED if policy == open_ else policy


def apply_bundle(base: EffectivePolicy, bundle: PolicyBundle) -> EffectivePolicy:
    """`base` with the limits `bundle` sets; a bundle never lets guests in
    where the site keeps them out."""
    premoderate = bundle.policy == PolicyBundle.Policy.PREMODERATED
    return replace(
        base,
        bundle=bundle.name,
        discussion_policy=_premoderated(base.discussion_policy)
        if premoderate
        else base.discussion_policy,
        toxicity_threshold=_pick(bundle.toxicity_threshold, base.toxicity_threshold),
        spam_threshold=_pick(bundle.spam_threshold, base.spam_threshold),
        link_limit=_pick(bundle.link_limit, base.link_limit),
        hold_first_comment=_pick(bundle.hold_first_comment, base.hold_first_comment),
        flags_to_hold=_pick(bundle.flags_to_hold, base.flags_to_hold),
        guest_comments=base.guest_comments and _pick(bundle.guest_comments, True),
    )


def _strictest(policies: list[EffectivePolicy]) -> EffectivePolicy:
    """One policy holding, limit by limit, the strictest of several."""
    return replace(
        policies[0],
        bundle=" + ".join(p.bundle for p in policies),
        discussion_policy=_premoderated(policies[0].discussion_policy)
        if any(p.premoderated for p in policies)
        else policies[0].discussion_policy,
        toxicity_threshold=min(p.toxicity_threshold for p in policies),
        spam_threshold=min(p.spam_threshold for p in policies),
        link_limit=min(p.link_limit for p in policies),
        hold_first_comment=any(p.hold_first_comment for p in policies),
        flags_to_hold=min(p.flags_to_hold for p in policies),
        guest_comments=all(p.guest_comments for p in policies),
    )


def _on_article(article: Article) -> EffectivePolicy:
    # The article's own policy stands unless a bundle makes it stricter; a
    # closed discussion stays closed.
    return replace(
        site_defaults(),
        discussion_policy=article.discussion_policy,
        busy=article.busy_since is not None,
    )


def policy_for(article: Article) -> EffectivePolicy:
    """The limits `article`'s discussion is moderated by: its own bundle, else
    its topics' (the strictest of each limit), else the site defaults."""
    base = _on_article(article)
    chosen = (
        ArticlePolicy.objects.filter(article_id=article.pk)
        .select_related("bundle")
        .first()
    )
    if chosen is not None:
        return replace(apply_bundle(base, chosen.bundle), source=FROM_ARTICLE)
    topic_bundles = [
        tp.bundle
        for tp in TopicPolicy.objects.filter(topic__articles=article.pk)
        .select_related("bundle")
        .order_by("bundle__name")
    ]
    unique = list({b.pk: b for b in topic_bundles}.values())
    if not unique:
        return base
    strictest = _strictest([apply_bundle(base, b) for b in unique])
    return replace(strictest, source=FROM_TOPIC)
