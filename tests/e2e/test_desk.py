"""The moderator desk in real chromium: by keyboard, with undo, two moderators
at once, on a phone, and checked by axe."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from comments.models import Comment
from moderation.models import Action, AuditEntry, DeskClaim
from tests.comments.helpers import add_comment
from tests.e2e.desk_driver import DESK, clear_by_keyboard, decide_by_key, focused_id
from tests.factories import ArticleFactory, UserFactory, make_moderator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
STATUS = {"a": "approved", "r": "rejected", "s": "spam"}


def fill(count: int, article=None) -> list[Comment]:
    article = article or ArticleFactory(title="A story that blew up")
    authors = UserFactory.create_batch(4)
    return [
        add_comment(article, authors[i % 4], status="held", body=f"Held comment {i}")
        for i in range(count)
    ]


def test_a_moderator_clears_twenty_cards_by_keyboard_alone(open_as):
    comments = fill(20)
    page = open_as(make_moderator("desk-mod"))

    decided, seconds = clear_by_keyboard(page, 20)

    assert sorted(map(int, decided)) == sorted(c.pk for c in comments)
    for i, pk in enumerate(decided):
        assert Comment.objects.get(pk=pk).status == STATUS["ars"[i % 3]]
    per_comment = AuditEntry.objects.filter(
        comment__in=comments, action__in=Action.values
    ).values_list("comment_id", flat=True)
    assert sorted(per_comment) == sorted(c.pk for c in comments)  # once each
    assert page.console_errors == []
    print(f"\n  desk by keyboard: {20 / seconds * 60:.0f} decisions a minute")  # noqa: T201


def test_undo_restores_the_card_and_its_comment(open_as):
    first, second = fill(2)
    page = open_as(make_moderator("desk-mod"))
    page.goto(DESK)
    expect(page.locator(f"#card-{first.pk}")).to_have_class("card is-focused")

    decide_by_key(page, "r")
    assert Comment.objects.get(pk=first.pk).status == "rejected"
    page.keyboard.press("u")

    card = page.locator(f"#card-{first.pk}")
    expect(card).to_have_class("card is-focused")
    expect(card.get_by_role("button", name="Approve")).to_be_visible()
    expect(page.locator("#desk-status")).to_contain_text("waits again")
    assert Comment.objects.get(pk=first.pk).status == "held"
    decide_by_key(page, "a")
    assert Comment.objects.get(pk=first.pk).status == "approved"
    assert Comment.objects.get(pk=second.pk).status == "held"
    assert page.console_errors == []


def test_two_moderators_on_one_queue_never_decide_a_comment_twice(open_as, settings):
    settings.MODERATION_DESK_BATCH = 6
    comments = fill(12)
    alice, bruno = make_moderator("alice"), make_moderator("bruno")
    a, b = open_as(alice), open_as(bruno)
    a.goto(DESK)
    b.goto(DESK)
    a_ids = set(
        a.locator("#desk-cards .card").evaluate_all(
            "cs => cs.map(c => c.dataset.commentId)"
        )
    )
    b_ids = set(
        b.locator("#desk-cards .card").evaluate_all(
            "cs => cs.map(c => c.dataset.commentId)"
        )
    )
    assert len(a_ids) == len(b_ids) == 6
    assert not a_ids & b_ids

    # Both work at once, key by key.
    for _ in range(5):
        decide_by_key(a, "a")
        decide_by_key(b, "r")
    # Alice steps away; her last card's claim runs out and Bruno takes it.
    left = focused_id(a)
    DeskClaim.objects.filter(moderator=alice).update(expires_at="2000-01-01T00:00Z")
    b.goto(DESK)
    expect(b.locator(f"#card-{left}")).to_be_visible()
    b.locator(f"#card-{left}").click()
    decide_by_key(b, "s", last=True)
    # Alice comes back to the card still on her screen: refused, not applied.
    a.keyboard.press("a")
    refused = a.locator(f"#card-{left}.is-refused")
    expect(refused).to_contain_text("bruno acted on this comment")

    assert Comment.objects.get(pk=left).status == "spam"
    decisions = AuditEntry.objects.filter(
        comment__in=comments, action__in=Action.values
    )
    counted = {}
    for pk in decisions.values_list("comment_id", flat=True):
        counted[pk] = counted.get(pk, 0) + 1
    assert set(counted.values()) == {1}
    assert len(counted) == 11
    # The refusal is a 409, which the browser logs; nothing else went wrong.
    assert [e for e in a.console_errors if "409" not in e] == []
    assert b.console_errors == []


def test_the_desk_works_on_a_390_pixel_phone(open_as):
    comments = fill(3)
    page = open_as(
        make_moderator("desk-mod"),
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    page.goto(DESK)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card = page.locator(f"#card-{comments[0].pk}")
    approve = card.get_by_role("button", name="Approve")
    box = approve.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert box["height"] >= 24  # a finger can hit it
    approve.tap()
    expect(page.locator(f"#card-{comments[0].pk}.is-done")).to_be_visible()
    assert Comment.objects.get(pk=comments[0].pk).status == "approved"


def serious(results) -> list[str]:
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_finds_nothing_serious_on_the_desk_and_the_discussion(open_as, regular):
    article = ArticleFactory(title="Accessible discussion")
    fill(3, article)
    flagged = add_comment(article, regular, body="A published comment")
    add_comment(article, regular, parent=flagged, body="A reply to it")
    page = open_as(make_moderator("desk-mod"))
    axe = Axe()

    page.goto(DESK)
    page.wait_for_selector("#desk-cards .card.is-focused")
    on_desk = serious(axe.run(page))
    page.goto(article.get_absolute_url())
    on_discussion = serious(axe.run(page))

    assert on_desk == []
    assert on_discussion == []
