"""A signed-in app's page of comments: the page everybody shares, with the
reader's own votes and comments laid over it for the cost of two queries, and
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
def test_a_readers_page_costs_their_comments_and_their_votes(
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

    with django_assert_num_queries(2) as captured:
        response = app.get(newest)

    assert response.status_code == 200
    tables = [q["sql"] for q in captured.captured_queries]
    assert "comments_comment" in tables[0]
    assert "comments_vote" in tables[1]
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
