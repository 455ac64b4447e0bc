"""The demo publication: topics, three articles, an editor and a moderator.

Seeding twice changes nothing: rows are looked up by slug or username first, and
existing accounts keep their passwords.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import EDITORS_GROUP, MODERATORS_GROUP, User
from articles.models import Article, Topic

DEMO_DIR = Path(__file__).resolve().parent / "seed_content"

TOPICS = [
    ("AI policy", "ai-policy", "Rules, programmes and fights over AI."),
    ("Semiconductors", "semiconductors", "Chips, their factories, and states."),
    ("Trade", "trade", "Export controls, tariffs and supply chains."),
]

ARTICLES = [
    {
        "slug": "export-controls-ai-chips",
        "title": "Export controls on AI chips are a blunt tool. Can they be sharpened?",
        "standfirst": "Licensing regimes built for missiles now decide who trains "
        "large models. The rules leak, lag and annoy allies; the alternatives are "
        "worse.",
        "topics": ["ai-policy", "trade", "semiconductors"],
        "days_ago": 2,
    },
    {
        "slug": "chip-supply-chain-chokepoints",
        "title": "Five chokepoints in the chip supply chain, and who holds each one",
        "standfirst": "A modern processor crosses a dozen borders before it reaches a "
        "data centre. Industrial policy keeps aiming at the wrong step.",
        "topics": ["semiconductors", "trade"],
        "days_ago": 5,
    },
    {
        "slug": "national-ai-compute-programme",
        "title": "What a national AI compute programme should buy first",
        "standfirst": "Governments are pledging billions for public supercomputers. "
        "The hardware is the easy part; access rules, staff and power are not.",
        "topics": ["ai-policy"],
        "days_ago": 9,
    },
]

ACCOUNTS = [
    ("demo-editor", "Demo Editor", "editor@example.com", EDITORS_GROUP),
    ("demo-moderator", "Demo Moderator", "moderator@example.com", MODERATORS_GROUP),
]


def seed_publication(
    say: Callable[[str], None], say_password: Callable[[str], None] | None = None
) -> list[Article]:
    """Create what is missing of the demo publication; return its articles.

    New accounts' passwords go to `say_password` (by default `say`).
    """
    editor = None
    for username, display_name, email, group_name in ACCOUNTS:
        user = _account(
            say, say_password or say, username, display_name, email, group_name
        )
        editor = editor or user
    topics = {
        slug: Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )[0]
        for name, slug, description in TOPICS
    }
    created = 0
    for spec in ARTICLES:
        if Article.objects.filter(slug=spec["slug"]).exists():
            continue
        article = Article.objects.create(
            slug=spec["slug"],
            title=spec["title"],
            standfirst=spec["standfirst"],
            body=(DEMO_DIR / f"{spec['slug']}.md").read_text(encoding="utf-8"),
            author=editor,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=spec["days_ago"]),
            discussion_policy=Article.DiscussionPolicy.OPEN,
        )
        article.topics.set([topics[slug] for slug in spec["topics"]])
        created += 1
    say(f"Demo articles: {created} created, {len(ARTICLES) - created} already there.")
    return list(Article.objects.filter(slug__in=[a["slug"] for a in ARTICLES]))


def _account(
    say: Callable[[str], None],
    say_password: Callable[[str], None],
    username: str,
    display_name: str,
    email: str,
    group_name: str,
) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        say(
            f"Demo account {username!r} already exists; its password is unchanged "
            f"(set a new one with: python manage.py changepassword {username})."
        )
        return user
    password = secrets.token_urlsafe(12)
    user = User(
        username=username, display_name=display_name, email=email, is_staff=True
    )
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=group_name))
    say_password(
        f"Demo {group_name[:-1].lower()}: username {username!r}, password {password!r}"
    )
    return user
