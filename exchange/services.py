"""Writing imported discussions into the comment tree, each all or nothing.

A batch of discussions is looked up and written together (exchange.writing:
their articles, the ids already imported and then their rows, a few
statements in all whatever their number), so a large import runs in seconds
rather than hours; `discussion_import` writes one alone, in its own savepoint.
Either way a discussion that cannot be written leaves nothing behind and is
reported with the comment and the reason.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils.text import slugify

from articles.models import Article
from articles.selectors import articles_by_slug
from moderation.classifiers import spam

from .records import Discussion, Tally
from .writing import ImportProblem, Plan, known_ids, plan_discussion, write_plans

Examples = list[tuple[str, bool]]


@dataclass
class Target:
    """Where an import writes: the source's name and how to find articles."""

    source: str
    create_articles: bool = False
    editor: object = None


def discussion_import(
    *,
    target: Target,
    discussion: Discussion,
    tally: Tally,
    authors: "Authors",
    examples: Examples | None = None,
) -> None:
    """Write a discussion's new comments and pings in one transaction, or none.

    A discussion with no article to go under, or with a comment that cannot be
    written, is recorded in `tally.failures` and leaves nothing behind. The
    spam filter's verdicts are learned in the same transaction, or, given
    `examples`, added to it once the discussion is written, for the caller
    to learn in the transaction around it (spam.learn_many).
    """
    if discussion.problem:
        tally.failures.append(f"{discussion.label}: {discussion.problem}")
        return
    own = Tally()
    try:
        with transaction.atomic():
            article = article_for(discussion, target)
            if article is None:
                raise ImportProblem(_no_article(discussion))
            wanted = [(target.source, e.source_id) for e in discussion.entries]
            known = {i: pk for (_, i), pk in known_ids(wanted).items()}
            plan = plan_discussion(target.source, discussion, article, known=known,
                                   authors=authors, tally=own)  # fmt: skip
            verdicts = write_plans([plan], own)
            if examples is None:
                spam.learn_many(verdicts)
    except (ImportProblem, ValidationError, DatabaseError) as problem:
        tally.failures.append(f"{discussion.label}: {say(problem)}")
        return
    if examples is not None:
        examples.extend(verdicts)
    tally.add(own)


def batch_import(
    *,
    batch: list[tuple[Target, Discussion]],
    tally: Tally,
    authors: "Authors",
    written: list[Discussion],
    examples: Examples,
) -> None:
    """Write a batch of discussions, each all or nothing, adding those written
    to `written` and their spam verdicts to `examples` for the caller to learn
    in the transaction around it.

    The batch is written in groups, each planned and then written at once in
    a savepoint; a group ends before a discussion that shares its article or
    its ids with one already in it, which then sees the group as written. A
    discussion refused while planned is reported and leaves nothing behind.
    Should the database refuse a group, it is undone and its discussions are
    written again one by one (discussion_import), so only one that cannot be
    written is reported.
    """
    pending = []
    for target, discussion in batch:
        if discussion.problem:
            tally.failures.append(f"{discussion.label}: {discussion.problem}")
        else:
            pending.append((target, discussion))
    while pending:
        own, planned = Tally(), []
        try:
            with transaction.atomic():
                rest = _plan_group(pending, own, authors, planned)
                verdicts = write_plans(planned, own)
        except DatabaseError:
            # Rare (an address too long for its column, an id twice in one
            # thread): find which discussion it was by writing each alone.
            for target, discussion in pending:
                done = len(tally.failures)
                discussion_import(
                    target=target,
                    discussion=discussion,
                    tally=tally,
                    authors=authors,
                    examples=examples,
                )
                if len(tally.failures) == done:
                    written.append(discussion)
            return
        tally.add(own)
        written.extend(plan.discussion for plan in planned)
        examples.extend(verdicts)
        pending = rest


def _plan_group(
    pending: list[tuple[Target, Discussion]],
    tally: Tally,
    authors: "Authors",
    planned: list[Plan],
) -> list[tuple[Target, Discussion]]:
    """Plan discussions of `pending` into `planned` until one shares an article
    or an id with those planned; return the rest, from that one on."""
    articles = articles_by_slug({s for _, d in pending for s in d.slugs})
    known = known_ids((t.source, e.source_id) for t, d in pending for e in d.entries)
    taken_articles, taken_ids = set(), set()
    for n, (target, discussion) in enumerate(pending):
        article = next((articles[s] for s in discussion.slugs if s in articles), None)
        ids = {(target.source, e.source_id) for e in discussion.entries}
        if (article and article.pk in taken_articles) or not taken_ids.isdisjoint(ids):
            return pending[n:]
        mine = Tally()
        try:
            plan = _plan(target, discussion, article, known, authors, mine)
        except (ImportProblem, ValidationError) as problem:
            tally.failures.append(f"{discussion.label}: {say(problem)}")
            continue
        tally.add(mine)
        planned.append(plan)
        taken_articles.add(plan.article.pk)
        taken_ids |= ids
        # A draft made for this discussion is found by the next with its slug.
        articles.setdefault(plan.article.slug, plan.article)
    return []


def _plan(
    target: Target,
    discussion: Discussion,
    article: Article | None,
    known: dict[tuple[str, str], int],
    authors: "Authors",
    tally: Tally,
) -> Plan:
    """The discussion's plan under its article, or under a new draft that goes
    again should a comment be refused."""
    source = target.source
    mine = {
        e.source_id: known[(source, e.source_id)]
        for e in discussion.entries
        if (source, e.source_id) in known
    }
    if article is not None:
        return plan_discussion(target.source, discussion, article, known=mine,
                               authors=authors, tally=tally)  # fmt: skip
    if not target.create_articles:
        raise ImportProblem(_no_article(discussion))
    with transaction.atomic():
        article = _article_create(
            discussion, [s for s in discussion.slugs if s], target.editor
        )
        return plan_discussion(target.source, discussion, article, known=mine,
                               authors=authors, tally=tally)  # fmt: skip


def _no_article(discussion: Discussion) -> str:
    return (
        "no article with the slug "
        f"{' or '.join(map(repr, discussion.slugs)) or '(none given)'}; "
        "pass --create-articles to make drafts for it"
    )


def say(problem: Exception) -> str:
    """What went wrong, in one line."""
    if isinstance(problem, ValidationError):
        return "; ".join(problem.messages)
    # A database error's text runs to several lines; its first says what.
    return (
        str(problem).strip().splitlines()[0] if str(problem).strip() else repr(problem)
    )


class Authors:
    """Accounts on this site by e-mail address, looked up once each per run."""

    def __init__(self) -> None:
        self.known: dict[str, object] = {}

    def lookup(self, emails) -> dict[str, object]:
        wanted = {e.strip().lower() for e in emails if e.strip()}
        missing = wanted - self.known.keys()
        if missing:
            found = {
                user.email_key: user
                for user in get_user_model()
                .objects.annotate(email_key=Lower("email"))
                .filter(email_key__in=missing, is_active=True)
            }
            self.known.update({e: found.get(e) for e in missing})
        return {e: self.known[e] for e in wanted if self.known[e] is not None}


def article_for(discussion: Discussion, target: Target) -> Article | None:
    """The article a discussion belongs under: by slug (from its link or name,
    matching an article's current slug or one it had before), or a new draft
    when the run may create them."""
    slugs = [s for s in discussion.slugs if s]
    found = articles_by_slug(slugs)
    for slug in slugs:
        if slug in found:
            return found[slug]
    if not target.create_articles:
        return None
    return _article_create(discussion, slugs, target.editor)


def _article_create(discussion: Discussion, slugs: list[str], editor) -> Article:
    slug = next((s for s in map(slugify, slugs) if s), "") or slugify(
        f"imported-{discussion.key}"
    )
    title = (discussion.title or slug).strip()[:200]
    article = Article(
        title=title,
        slug=slug[:200],
        standfirst=title[:600],
        body=discussion.body or title,
        author=editor,
        status=Article.Status.DRAFT,
        published_at=discussion.published_at,
        discussion_policy=(
            Article.DiscussionPolicy.CLOSED
            if discussion.closed
            else Article.DiscussionPolicy.OPEN
        ),
    )
    article.full_clean()
    article.save()
    return article
