"""Demo discussions under the demo articles: readers who disagree, civilly."""

from collections.abc import Callable
from datetime import timedelta

from accounts.models import User
from articles.models import Article

from .models import Comment
from .services import comment_import

READERS = [
    ("maya.k", "Maya K."),
    ("tomasz", "Tomasz W."),
    ("priya_r", "Priya R."),
    ("j.okafor", "J. Okafor"),
]

# slug -> list of (reader index, body, index of the comment it answers or None)
DISCUSSIONS = {
    "export-controls-ai-chips": [
        (0, "The know-your-customer idea for cloud providers is the first proposal "
            "I've seen that goes after the actual loophole. Renting compute abroad "
            "is trivially easy today.", None),
        (1, "I'm sceptical. Banks have had KYC rules for decades and money "
            "laundering is still a huge industry. Why would compute be different?", 0),
        (0, "Fair, but the bar isn't perfection. Raising the cost of evasion is "
            "what most export controls actually achieve.", 1),
        (2, "A published timetable for thresholds sounds sensible to me. Companies "
            "plan fabs years ahead; surprise rule changes mostly hurt the honest "
            "ones.", None),
        (3, "The article undersells the ally problem. If the partners who make the "
            "lithography machines don't sign up, the whole regime is theatre.", None),
        (1, "Agreed on allies. The rules only bite where the whole supply chain is "
            "covered.", 4),
    ],
    "chip-supply-chain-chokepoints": [
        (2, "Packaging as the real bottleneck matches what I heard from people in "
            "the industry last year. It gets almost no policy attention.", None),
        (3, "The table is useful. I'd add that skilled technicians take longer to "
            "train than any machine takes to deliver.", None),
        (0, "Strongly agree. Subsidies for buildings are easy to announce; "
            "apprenticeships are not photogenic.", 1),
        (1, "Sharing capacity among allies in a crisis sounds nice on paper. In a "
            "real shortage every government will look after its own first.", None),
    ],
    "national-ai-compute-programme": [
        (3, "A fast lane for small requests is the single most important point "
            "here. Researchers give up on six-month allocation cycles.", None),
        (2, "Open reporting should include energy use per project, not just "
            "usage hours.", None),
        (0, "Good idea, though it might discourage legitimate but power-hungry "
            "research. Context matters.", 1),
        (1, "I would rather see the money spent on access to existing commercial "
            "clouds than on a public machine that will be outdated in three years.",
         None),
        (3, "Then the public depends on the same few firms the programme is meant "
            "to balance. A modest public machine keeps some independence.", 3),
    ],
}  # fmt: skip


def _readers() -> list[User]:
    readers = []
    for username, display_name in READERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display_name, "email": f"{username}@example.com"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        readers.append(user)
    return readers


def seed_discussions(articles: list[Article], say: Callable[[str], None]) -> None:
    """Add the demo discussion to each demo article that has no comments yet."""
    readers = _readers()
    added = discussions = there = 0
    for article in articles:
        script = DISCUSSIONS.get(article.slug)
        if not script:
            continue
        if Comment.objects.filter(article=article).exists():
            there += 1
            continue
        discussions += 1
        posted: list[Comment] = []
        start = article.published_at + timedelta(hours=1)
        for n, (who, body, answers) in enumerate(script):
            posted.append(
                comment_import(
                    article=article,
                    author=readers[who],
                    body=body,
                    parent=posted[answers] if answers is not None else None,
                    created_at=start + timedelta(minutes=37 * n),
                )
            )
        added += len(posted)
    say(
        f"Demo comments: {added} added to {discussions} discussions, "
        f"{there} already there."
    )
