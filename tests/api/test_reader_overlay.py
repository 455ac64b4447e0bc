"""A signed-in app's page of comments: the page everybody shares, with the
reader's own votes and comments laid over it for the cost of one query, and
a token whose groups are remembered with it, so a change of role shows at once."""

import pytest
from django.contrib.auth.models import Group

from comments.services import comment_vote
from tests.api.conftest import API, json_client, sign_in
from tests.comments.helpers import add_comment, grow
from tests.factories import ArticleFactory, UserFactory, make_moderator

pytestmark = pytest.mark.django_db


def comments_url(article) -> str:
    return f"{API}/articles/{article.slug}/comments/"


def app_for(user):
    """The user's app, its token used once (so it is remembered)."""
    app = json_client()
    app.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(app, user.username)}")
    assert app.get(f"{API}/me/").status_code == 200
    return app


def every_comment(results: list[dict]) -> list[dict]:
    out = []
    for node in results:
        out.append(node)
        out.extend(every_comment(node["replies"]))
    return out


@pytest.mark.parametrize(("top_level", "replies_each"), [(2, 3), (30, 20)])
def test_a_readers_page_costs_one_query_for_their_comments_and_their_votes(
    reader, django_assert_num_queries, top_level, replies_each
):
    others = UserFactory.create_batch(3)
    article = ArticleFactory()
    grow(article, others, top_level=top_level, replies_each=replies_each)
    theirs = add_comment(article, reader, body="My own *point*.")
    liked = add_comment(article, others[0], body="A good one.")
    comment_vote(comment=liked, user=reader, value=1)
    app = app_for(reader)
    newest = f"{comments_url(article)}?sort=newest"  # the two on the first page
    assert app.get(newest).status_code == 200  # the shared page kept
    assert app.get(newest).status_code == 200  # and the article

    with django_assert_num_queries(1) as captured:
        response = app.get(newest)

    assert response.status_code == 200
    (sql,) = [q["sql"] for q in captured.captured_queries]
    assert "comments_comment" in sql
    assert "comments_vote" in sql
    shown = {c["id"]: c for c in every_comment(response.json()["results"])}
    assert shown[liked.pk]["my_vote"] == 1
    assert shown[theirs.pk]["body"] == "My own *point*."
    assert shown[theirs.pk]["status"] == "approved"
    assert all(
        c["body"] is None and c["status"] is None
        for pk, c in shown.items()
        if pk != theirs.pk
    )


def test_a_moderators_remembered_token_reads_no_group_table(
    article, reader, django_assert_max_num_queries
):
    add_comment(article, reader)
    app = app_for(make_moderator())
    app.get(comments_url(article))

    with django_assert_max_num_queries(4) as captured:
        response = app.get(comments_url(article))

    assert [c["status"] for c in response.json()["results"]] == ["approved"]
    assert not any("auth_group" in q["sql"] for q in captured.captured_queries)


def _statuses(app, article) -> list:
    return [c["status"] for c in app.get(comments_url(article)).json()["results"]]


def _join_by_user(user, group):
    user.groups.add(group)


def _join_by_group(user, group):
    group.user_set.add(user)


def _leave_by_user(user, group):
    user.groups.remove(group)


def _leave_by_group(user, group):
    group.user_set.remove(user)


def _leave_by_clearing_the_group(user, group):
    group.user_set.clear()


def _leave_by_clearing_the_users_groups(user, group):
    user.groups.clear()


def _leave_by_deleting_the_group(user, group):
    group.delete()


@pytest.mark.parametrize("join", [_join_by_user, _join_by_group])
@pytest.mark.parametrize(
    "leave",
    [
        _leave_by_user,
        _leave_by_group,
        _leave_by_clearing_the_group,
        _leave_by_clearing_the_users_groups,
        _leave_by_deleting_the_group,
    ],
)
def test_a_change_of_role_shows_at_once_though_the_token_is_remembered(
    article, reader, other_reader, join, leave
):
    add_comment(article, other_reader)
    moderators = Group.objects.get(name="Moderators")
    app = app_for(reader)
    assert _statuses(app, article) == [None]

    join(reader, moderators)
    assert _statuses(app, article) == ["approved"]

    leave(reader, moderators)
    assert _statuses(app, article) == [None]


def test_a_readers_page_is_the_shared_one_but_for_their_votes_and_their_own(
    reader, other_reader
):
    others = UserFactory.create_batch(3)
    article = ArticleFactory()
    grow(article, others, top_level=4, replies_each=3)
    tops = list(article.comments.filter(depth=0).order_by("pk"))
    liked = add_comment(article, others[1], parent=tops[1], body="Line\u2028break.")
    theirs = add_comment(article, reader, parent=tops[2], body="My *own* reply.")
    comment_vote(comment=liked, user=reader, value=1)
    deep = add_comment(article, others[2], parent=liked, body="Deeper.")
    comment_vote(comment=tops[3], user=reader, value=-1)
    comment_vote(comment=deep, user=reader, value=-1)
    # A vote in the thread that holds their own reply, encoded afresh.
    comment_vote(comment=tops[2], user=reader, value=1)
    url = comments_url(article)
    anonymous = json_client().get(url)
    mine, someone_elses = app_for(reader).get(url), app_for(other_reader).get(url)

    assert b"\\u2028" in mine.content  # escaped as DRF escapes it
    assert "\u2028".encode() not in mine.content
    shared = {c["id"]: c for c in every_comment(anonymous.json()["results"])}
    shown = {c["id"]: c for c in every_comment(mine.json()["results"])}
    # The same threads in the same order, each comment as anybody sees it...
    assert [c["id"] for c in every_comment(mine.json()["results"])] == [
        c["id"] for c in every_comment(anonymous.json()["results"])
    ]
    changed = {
        pk: {k: v for k, v in c.items() if k != "replies" and shared[pk][k] != v}
        for pk, c in shown.items()
    }
    # ...but for the reader's votes and their own comment's private fields.
    assert {pk: diff for pk, diff in changed.items() if diff} == {
        liked.pk: {"my_vote": 1},
        tops[3].pk: {"my_vote": -1},
        deep.pk: {"my_vote": -1},
        tops[2].pk: {"my_vote": 1},
        theirs.pk: {"body": "My *own* reply.", "status": "approved"},
    }
    # Another reader, served from the same kept page, sees none of it.
    assert someone_elses.json() == anonymous.json()
