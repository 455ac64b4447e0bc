"""One page shared by every reader, with each reader's own laid over it: what is
one reader's never reaches another, and the overlay answers exactly what a page
built for the reader alone would."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from comments import fragments, overlay, selectors
from comments.models import Comment, Vote
from comments.selectors import SORTS, discussion_page
from comments.services import comment_vote
from tests.api.conftest import json_client
from tests.comments.helpers import add_comment, grow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def shadow_banned(db):
    return UserFactory(username="shade", ban_is_permanent=True, ban_is_shadow=True)


@pytest.fixture
def discussion(article, reader, other_reader, shadow_banned):
    """Approved comments from everyone, and one hidden comment of each kind."""
    public = add_comment(article, other_reader, body="Everyone reads this")
    reply = add_comment(article, reader, parent=public, body="A public reply")
    shadowed = add_comment(
        article, shadow_banned, status=Comment.Status.REJECTED, body="Shadowed words"
    )
    Comment.objects.filter(pk=shadowed.pk).update(shadowed=True)
    held = add_comment(
        article, reader, parent=public, status=Comment.Status.HELD, body="Held words"
    )
    pending = add_comment(
        article, other_reader, status=Comment.Status.PENDING, body="Pending words"
    )
    return {
        "public": public, "reply": reply, "shadowed": shadowed, "held": held,
        "pending": pending,
    }  # fmt: skip


def _html(client, article, user=None) -> str:
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.get(article.get_absolute_url()).content.decode()


def _shown(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', html)}


def _api(article, user=None) -> dict:
    app = json_client()
    if user is not None:
        app.force_authenticate(user)
    response = app.get(f"{API}/articles/{article.slug}/comments/")
    assert response.status_code == 200
    return response.json()


def _flat(results: list) -> dict[int, dict]:
    out = {}
    for c in results:
        out[c["id"]] = c
        out.update(_flat(c["replies"]))
    return out


def test_each_reader_sees_their_own_hidden_comments_and_nobody_elses(
    client, article, reader, other_reader, shadow_banned, discussion
):
    d = discussion
    # Whoever comes first builds the shared copy the others are served from.
    everyone = _shown(_html(client, article))
    rosa = _shown(_html(client, article, reader))
    other = _shown(_html(client, article, other_reader))
    shade = _shown(_html(client, article, shadow_banned))

    public = {d["public"].pk, d["reply"].pk}
    assert everyone == public
    assert rosa == public | {d["held"].pk}
    assert other == public | {d["pending"].pk}
    assert shade == public | {d["shadowed"].pk}


def test_the_shadow_banned_author_sees_their_comment_as_published(
    client, article, shadow_banned, reader, discussion
):
    shadowed = discussion["shadowed"]
    _html(client, article, reader)  # the shared copy, built for someone else

    html = _html(client, article, shadow_banned)
    comment = html.split(f'id="comment-{shadowed.pk}"')[1].split("</article>")[0]
    assert "Shadowed words" in comment
    assert "Not published" not in comment
    assert "Awaiting moderation" not in comment

    mine = _flat(_api(article, shadow_banned)["results"])[shadowed.pk]
    assert mine["status"] == "approved"
    assert mine["decision"] is None
    assert shadowed.pk not in _flat(_api(article, reader)["results"])
    assert shadowed.pk not in _flat(_api(article)["results"])


def test_a_held_comment_is_shown_to_its_author_alone_as_awaiting_moderation(
    client, article, reader, other_reader, discussion
):
    held = discussion["held"]
    _html(client, article, other_reader)

    html = _html(client, article, reader)
    assert "Held words" in html
    assert "Awaiting moderation" in html
    assert "Held words" not in _html(client, article, other_reader)
    assert "Held words" not in _html(client, article)

    api = _flat(_api(article, reader)["results"])
    assert api[held.pk]["status"] == "held"
    assert api[held.pk]["body"] == "Held words"
    assert held.pk not in _flat(_api(article, other_reader)["results"])


def test_votes_are_each_readers_own(
    client, article, reader, other_reader, shadow_banned, discussion
):
    public = discussion["public"]
    comment_vote(comment=public, user=reader, value=1)
    comment_vote(comment=public, user=shadow_banned, value=-1)

    votes = {
        who.username: _flat(_api(article, who)["results"])[public.pk]["my_vote"]
        for who in (reader, other_reader, shadow_banned)
    }
    assert votes == {"rosa": 1, other_reader.username: 0, "shade": -1}
    assert _flat(_api(article)["results"])[public.pk]["my_vote"] == 0

    def pressed(user) -> str:
        html = _html(client, article, user)
        votes = html.split(f'id="votes-{public.pk}"')[1].split("</span>\n</span>")[0]
        return re.search(r'class="vote up" aria-pressed="(\w+)"', votes).group(1)

    assert pressed(reader) == "true"
    assert pressed(other_reader) == "false"


def test_the_rights_and_private_fields_of_one_reader_reach_no_other(
    client, article, reader, other_reader, discussion
):
    reply = discussion["reply"]  # rosa's, approved
    _html(client, article, reader)

    other = _html(client, article, other_reader)
    theirs = other.split(f'id="comment-{reply.pk}"')[1].split("</article>")[0]
    assert "/edit/" not in theirs
    assert "/delete/" not in theirs
    assert not re.search(rf'id="comment-{reply.pk}" class="comment[^"]*\bmine\b', other)
    api = _flat(_api(article, other_reader)["results"])[reply.pk]
    assert api["body"] is None
    assert api["status"] is None

    mine = _html(client, article, reader)
    assert re.search(rf'id="comment-{reply.pk}" class="comment[^"]*\bmine\b', mine)
    assert f'{reply.pk}/edit/"' in mine
    assert _flat(_api(article, reader)["results"])[reply.pk]["body"] == "A public reply"


def test_every_reader_gets_their_own_csrf_token_in_the_shared_vote_forms(
    client, article, reader, other_reader, discussion
):
    def tokens(html: str) -> set[str]:
        return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))

    first = tokens(_html(client, article, reader))
    html = _html(client, article, other_reader)

    assert len(tokens(html)) == 1  # the page's forms and the shared vote forms
    assert not tokens(html) & first
    assert "csrf-" not in html


def _picture(page) -> list:
    """What a reader is shown of a page, comment by comment."""
    marks = ("my_vote", "is_mine", "can_edit", "can_delete", "can_reply", "can_vote",
             "standing", "reasons", "can_appeal", "parent_hidden")  # fmt: skip

    def one(c):
        answers = getattr(c, "answers", None)
        return (c.pk, answers and answers.pk, *(getattr(c, m, None) for m in marks))

    return [
        (one(t.comment), t.more_after, [one(r) for r in t.replies])
        for t in page.threads
    ] + [page.next_cursor]


@pytest.mark.parametrize("sort", SORTS)
def test_the_overlay_answers_what_a_page_built_for_the_reader_alone_would(
    article, reader, other_reader, sort
):
    authors = [reader, other_reader, UserFactory()]
    grow(article, authors, top_level=24, replies_each=6)
    tops = list(Comment.objects.filter(article=article, depth=0).order_by("id"))
    # The reader's hidden comments: top-level ones that push others to the next
    # page, replies in a shared thread, and a reply under a hidden one of theirs.
    mine_top = add_comment(article, reader, status=Comment.Status.HELD)
    add_comment(article, other_reader, parent=mine_top)
    add_comment(article, reader, parent=tops[1], status=Comment.Status.PENDING)
    add_comment(article, reader, parent=mine_top, status=Comment.Status.SPAM)
    Comment.objects.filter(pk=mine_top.pk).update(score=50)
    for c in Comment.objects.filter(article=article).exclude(author=reader)[:30:4]:
        Vote.objects.create(comment=c, user=reader, value=1)

    for user in (reader, other_reader, AnonymousUser()):
        cursor = None
        for _ in range(3):
            alone = discussion_page(article=article, user=user, sort=sort,
                                    cursor=cursor, replies_limit=4)  # fmt: skip
            # The shared page, with the same replies limit.
            shared = discussion_page(article=article, user=AnonymousUser(), sort=sort,
                                     cursor=cursor, replies_limit=4)  # fmt: skip
            laid = overlay.reader_page(shared, article=article, user=user,
                                       cursor=cursor, replies_limit=4)  # fmt: skip
            selectors.mark_for_reader(
                [c for t in laid.page.threads for c in (t.comment, *t.replies)],
                user, article,
            )  # fmt: skip
            assert _picture(laid.page) == _picture(alone)
            cursor = alone.next_cursor
            if cursor is None:
                break


def test_shared_fragments_spliced_for_a_voter_are_what_rendering_afresh_gives(
    article, reader, other_reader
):
    grow(article, [other_reader, UserFactory()], top_level=6, replies_each=4)
    add_comment(article, reader)  # theirs: rendered for them alone
    others = Comment.objects.filter(article=article).exclude(author=reader)
    for n, c in enumerate(others.order_by("id")[:12]):
        if n % 3:
            comment_vote(comment=c, user=reader, value=1 if n % 3 == 1 else -1)

    def html(shared) -> str:
        return fragments.threads_html(
            shared, article=article, user=reader, csrf_token="TOKEN",
            cursor=None, thread_id=None,
        )  # fmt: skip

    def built():
        return fragments.shared_fragments(
            article=article, sort="oldest", cursor=None, thread_id=None
        )

    spliced = html(built())
    fresh = built()
    afresh = html(fragments.SharedFragments(fresh.page, {}, {}, {}))

    assert spliced == afresh
    assert spliced.count('aria-pressed="true"') == 8  # four up, four down


def test_a_readers_page_leaves_the_shared_copy_each_process_keeps_as_it_was(
    article, reader, other_reader, discussion
):
    # The reader's held reply sits in a shared thread; they voted on another.
    comment_vote(comment=discussion["public"], user=reader, value=1)

    def built():
        return fragments.shared_fragments(
            article=article, sort="oldest", cursor=None, thread_id=None
        )

    def html(shared, user) -> str:
        return fragments.threads_html(
            shared, article=article, user=user, csrf_token="TOKEN",
            cursor=None, thread_id=None,
        )  # fmt: skip

    kept = built()
    before = _picture(kept.page)
    assert "Held words" in html(kept, reader)

    assert _picture(kept.page) == before
    theirs = html(kept, other_reader)
    assert theirs == html(built(), other_reader)
    assert "Held words" not in theirs
    assert 'aria-pressed="true"' not in theirs


def test_a_signed_in_page_costs_the_shared_copy_and_one_query(
    client, article, reader, other_reader, django_assert_num_queries
):
    grow(article, [reader, other_reader], top_level=30, replies_each=8)
    client.force_login(other_reader)
    client.get(article.get_absolute_url())  # the shared copy is built
    client.get(article.get_absolute_url())  # the article is remembered
    client.force_login(reader)
    client.get(reverse("profile"))  # their account is remembered from here on

    # Whether the reader follows the article, their hidden comments and their
    # votes on the page, in one statement. Nothing of the discussion, the
    # article or the account.
    with django_assert_num_queries(1) as captured:
        assert client.get(article.get_absolute_url()).status_code == 200
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "ROW_NUMBER" not in sql.upper()
    assert sql.count('FROM "comments_comment"') == 1
    assert "articles_article" not in sql
