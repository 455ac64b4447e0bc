"""A page of discussion: right shape, right order, right reader, constant cost."""

import pytest
from django.contrib.auth.models import AnonymousUser

from comments.models import MAX_DEPTH
from comments.selectors import discussion_page, replies_after
from comments.services import comment_delete, comment_vote
from core.exceptions import InvalidCursor
from tests.comments.helpers import add_comment, grow
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


def ids(page):
    return [t.comment.pk for t in page.threads]


def test_replies_follow_their_parents_depth_first_oldest_first(article, reader):
    a = add_comment(article, reader)
    a1 = add_comment(article, reader, parent=a)
    b = add_comment(article, reader)
    a2 = add_comment(article, reader, parent=a)
    a1x = add_comment(article, reader, parent=a1)

    page = discussion_page(article=article, user=ANON)

    assert ids(page) == [a.pk, b.pk]
    assert [r.pk for r in page.threads[0].replies] == [a1.pk, a1x.pk, a2.pk]
    assert [r.depth for r in page.threads[0].replies] == [1, 2, 1]
    assert page.threads[1].replies == []


def test_a_reply_past_the_depth_cap_says_whom_it_answers(article, reader, other_reader):
    parent = add_comment(article, reader)
    for _ in range(1, MAX_DEPTH):
        parent = add_comment(article, reader, parent=parent)
    deep = add_comment(article, other_reader, parent=parent)

    replies = discussion_page(article=article, user=ANON).threads[0].replies

    shown = {r.pk: r for r in replies}
    assert shown[deep.pk].depth == MAX_DEPTH - 1
    assert shown[deep.pk].answers.pk == parent.pk
    assert shown[parent.pk].answers is None


def test_sorts_order_the_top_level(article, reader):
    old = add_comment(article, reader, score=1)
    top = add_comment(article, reader, score=9)
    new = add_comment(article, reader, score=1)

    assert ids(discussion_page(article=article, user=ANON, sort="oldest")) == [
        old.pk, top.pk, new.pk]  # fmt: skip
    assert ids(discussion_page(article=article, user=ANON, sort="newest")) == [
        new.pk, top.pk, old.pk]  # fmt: skip
    assert ids(discussion_page(article=article, user=ANON, sort="top")) == [
        top.pk, old.pk, new.pk]  # fmt: skip


@pytest.mark.parametrize("sort", ["oldest", "newest", "top"])
def test_cursors_neither_repeat_nor_skip_when_comments_arrive_between_pages(
    article, reader, sort
):
    before = [add_comment(article, reader, score=i % 3) for i in range(7)]
    first = discussion_page(article=article, user=ANON, sort=sort, limit=3)
    arrived = [add_comment(article, reader, score=i % 3) for i in range(4)]

    seen, cursor = ids(first), first.next_cursor
    while cursor:
        page = discussion_page(
            article=article, user=ANON, sort=sort, limit=3, cursor=cursor
        )
        seen += ids(page)
        cursor = page.next_cursor

    assert len(seen) == len(set(seen))  # nothing twice
    assert {c.pk for c in before} <= set(seen)  # nothing that was there is skipped
    if sort == "oldest":
        assert {c.pk for c in arrived} <= set(seen)


def test_a_cursor_from_another_sort_or_made_up_is_refused(article, reader):
    for _ in range(3):
        add_comment(article, reader)
    cursor = discussion_page(article=article, user=ANON, limit=1).next_cursor

    with pytest.raises(InvalidCursor):
        discussion_page(article=article, user=ANON, sort="top", cursor=cursor)
    for forged in ["", "!!!", "eyJzIjoib2xkZXN0In0", "bnVsbA", "W10"]:
        if forged:
            with pytest.raises(InvalidCursor):
                discussion_page(article=article, user=ANON, cursor=forged)


def test_the_author_sees_their_own_comments_in_every_status_and_nobody_else_does(
    article, reader, other_reader
):
    shown = add_comment(article, other_reader)
    pending = add_comment(article, reader, status="pending")
    held = add_comment(article, reader, parent=shown, status="held")
    rejected = add_comment(article, reader, status="rejected")
    spam = add_comment(article, reader, status="spam")

    mine = discussion_page(article=article, user=reader)
    theirs = discussion_page(article=article, user=other_reader)

    assert ids(mine) == [shown.pk, pending.pk, rejected.pk, spam.pk]
    assert [r.pk for r in mine.threads[0].replies] == [held.pk]
    standing = {t.comment.pk: t.comment.standing for t in mine.threads}
    assert standing == {
        shown.pk: None,
        pending.pk: "Awaiting moderation",
        rejected.pk: "Not published: rejected in moderation",
        spam.pk: "Not published: marked as spam",
    }
    assert ids(theirs) == [shown.pk]
    assert theirs.threads[0].replies == []
    assert ids(discussion_page(article=article, user=ANON)) == [shown.pk]


def test_a_deleted_comment_keeps_its_replies_and_loses_its_text(
    post, article, reader, other_reader
):
    top = post(article=article, author=reader, body="I take it back")
    reply = post(
        article=article, author=other_reader, body="too late", parent_id=top.pk
    )
    comment_delete(comment=top, user=reader)

    thread = discussion_page(article=article, user=ANON).threads[0]

    assert thread.comment.is_deleted
    assert "I take it back" not in thread.comment.body_html
    assert [r.pk for r in thread.replies] == [reply.pk]


def test_my_votes_come_with_the_page(article, reader, other_reader):
    a = add_comment(article, other_reader)
    b = add_comment(article, other_reader, parent=a)
    comment_vote(comment=a, user=reader, value=1)
    comment_vote(comment=b, user=reader, value=-1)

    thread = discussion_page(article=article, user=reader).threads[0]

    assert thread.comment.my_vote == 1
    assert thread.replies[0].my_vote == -1
    assert (
        discussion_page(article=article, user=other_reader).threads[0].comment.my_vote
        == 0
    )


def test_long_threads_are_cut_and_load_more_continues_in_order(article, reader):
    top = add_comment(article, reader)
    replies = [add_comment(article, reader, parent=top) for _ in range(7)]

    thread = discussion_page(article=article, user=ANON, replies_limit=3).threads[0]
    assert [r.pk for r in thread.replies] == [r.pk for r in replies[:3]]
    more = replies_after(root=top, user=ANON, after_path=thread.more_after, limit=3)
    rest = replies_after(root=top, user=ANON, after_path=more.more_after, limit=3)

    assert [r.pk for r in more.replies] == [r.pk for r in replies[3:6]]
    assert [r.pk for r in rest.replies] == [replies[6].pk]
    assert rest.more_after is None


def _page_queries(django_assert_max_num_queries, article, user, budget):
    with django_assert_max_num_queries(budget) as captured:
        page = discussion_page(article=article, user=user)
    return page, len(captured.captured_queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_page_costs_the_same_queries_for_10_and_1000_comments(
    django_assert_max_num_queries, signed_in
):
    authors = UserFactory.create_batch(5)
    user = authors[0] if signed_in else ANON
    small, large = ArticleFactory(), ArticleFactory()
    grow(small, authors, top_level=2, replies_each=4)
    grow(large, authors, top_level=40, replies_each=24)

    page, small_count = _page_queries(django_assert_max_num_queries, small, user, 2)
    big, large_count = _page_queries(django_assert_max_num_queries, large, user, 2)

    assert small_count == large_count == 2
    assert len(big.threads) == 20
    assert big.next_cursor
    assert sum(len(t.replies) for t in page.threads) == 8
