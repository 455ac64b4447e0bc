"""The v1 contract (docs/api.md) walked as a mobile app walks it:
real tokens from /auth/token/, JSON bodies, one request at a time."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from articles.models import Article
from comments.models import MAX_DEPTH, Comment
from moderation.models import AuditEntry, Flag, Term
from tests.api.conftest import (
    API,
    error_attrs,
    error_codes,
    error_detail,
    finish_sign_up,
    json_client,
    sign_in,
)
from tests.comments.helpers import add_comment, grow
from tests.factories import PASSWORD, ArticleFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMENT_FIELDS = {
    "id", "article", "parent", "depth", "author", "body_html", "body", "status",
    "created_at", "edited_at", "score", "my_vote", "reply_count", "is_deleted",
    "decision", "replies",
}  # fmt: skip
ARTICLE_LIST_FIELDS = {
    "slug", "title", "standfirst", "published_at", "discussion_policy",
    "comment_count",
}  # fmt: skip
ARTICLE_FIELDS = ARTICLE_LIST_FIELDS | {"body_html", "author", "topics"}


def comments_url(article) -> str:
    return f"{API}/articles/{article.slug}/comments/"


def comment_url(comment_or_pk, action: str = "") -> str:
    pk = getattr(comment_or_pk, "pk", comment_or_pk)
    return f"{API}/comments/{pk}/{action + '/' if action else ''}"


def ids(results: list) -> list[int]:
    return [c["id"] for c in results]


# --- Accounts and tokens -----------------------------------------------------------


def test_register_answers_202_and_the_e_mailed_link_makes_an_account_that_works(
    anon, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(
            f"{API}/auth/register/",
            {"username": "maria", "email": "Maria@Example.org", "password": PASSWORD,
             "display_name": "Maria G."},
        )  # fmt: skip

    assert response.status_code == 202
    assert set(response.json()) == {"detail"}
    assert not User.objects.exists()  # nothing until the address answers
    assert finish_sign_up(client, "maria@example.org").status_code == 302
    user = User.objects.get()
    app = json_client()
    app.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(anon, 'maria')}")
    assert app.get(f"{API}/me/").json() == {
        "id": user.pk,
        "username": "maria",
        "display_name": "Maria G.",
        "email": "maria@example.org",
        "reply_emails": True,
        "decision_emails": True,
    }


def test_register_answers_alike_for_an_address_that_has_an_account(
    anon, reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = anon.post(
            f"{API}/auth/register/",
            {"username": "newcomer", "email": "ROSA@example.ORG", "password": PASSWORD},
        )
        unknown = anon.post(
            f"{API}/auth/register/",
            {"username": "other", "email": "new@example.org", "password": PASSWORD},
        )

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "two words", "U+0020 SPACE"),
        ("username", "pаypal", "alphabets"),  # a Cyrillic a among Latin letters
        ("username", "", "blank"),
        ("username", "Rosa", "looks too much like"),  # rosa exists
        ("username", "ＲＯＳＡ", "looks too much like"),  # fullwidth
        ("email", "not-an-address", "valid"),
        ("password", "password", "too common"),
    ],
)
def test_register_refuses_a_bad_or_taken_name_or_address_naming_the_field(
    anon, reader, field, value, message
):
    data = {"username": "newcomer", "email": "new@example.org", "password": PASSWORD,
            field: value}  # fmt: skip

    response = anon.post(f"{API}/auth/register/", data)

    assert error_attrs(response) == [field]
    assert message in error_detail(response, 400)
    assert User.objects.count() == 1


def test_sign_in_gives_each_device_its_own_token(anon, reader):
    phone = sign_in(anon, "rosa")
    tablet = sign_in(anon, "ROSA")  # the username's case does not matter

    assert phone != tablet
    for key in (phone, tablet):
        anon.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert anon.get(f"{API}/me/").json()["username"] == "rosa"


def test_a_wrong_password_and_an_unknown_name_get_the_same_400(anon, reader):
    wrong = anon.post(f"{API}/auth/token/", {"username": "rosa", "password": "nope"})
    unknown = anon.post(f"{API}/auth/token/", {"username": "nobody", "password": "x"})

    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()


def test_me_shows_and_changes_the_signed_in_reader(as_user, reader):
    app = as_user(reader)

    assert app.get(f"{API}/me/").json() == {
        "id": reader.pk,
        "username": "rosa",
        "display_name": reader.display_name,
        "email": "rosa@example.org",
        "reply_emails": True,
        "decision_emails": True,
    }
    changed = app.patch(
        f"{API}/me/",
        {"display_name": "  Rosa L.  ", "reply_emails": False,
         "decision_emails": False},
    )  # fmt: skip

    assert changed.status_code == 200
    assert changed.json()["display_name"] == "Rosa L."
    assert changed.json()["reply_emails"] is False
    reader.refresh_from_db()
    assert (reader.display_name, reader.reply_emails) == ("Rosa L.", False)
    assert reader.decision_emails is False
    # Only one of them: the others keep their values.
    app.patch(f"{API}/me/", {"reply_emails": True})
    reader.refresh_from_db()
    assert (reader.display_name, reader.reply_emails) == ("Rosa L.", True)


def test_me_refuses_a_display_name_that_is_too_long(as_user, reader):
    response = as_user(reader).patch(f"{API}/me/", {"display_name": "x" * 61})

    assert error_attrs(response) == ["display_name"]


def test_me_needs_a_token(anon):
    response = anon.get(f"{API}/me/")

    assert error_codes(response, 401) == ["not_authenticated"]
    assert response.headers["WWW-Authenticate"] == "Token"


def test_signing_out_revokes_only_this_devices_token(as_user, reader):
    phone, tablet = as_user(reader), as_user(reader)

    assert phone.delete(f"{API}/auth/token/").status_code == 204

    assert phone.get(f"{API}/me/").status_code == 401
    assert tablet.get(f"{API}/me/").status_code == 200


def test_signing_out_needs_a_token(anon):
    assert anon.delete(f"{API}/auth/token/").status_code == 401


def test_signing_out_everywhere_revokes_every_token_of_the_account(
    as_user, reader, other_reader
):
    phone, tablet, someone_else = (
        as_user(reader),
        as_user(reader),
        as_user(other_reader),
    )

    assert phone.delete(f"{API}/auth/tokens/").status_code == 204

    assert phone.get(f"{API}/me/").status_code == 401
    assert tablet.get(f"{API}/me/").status_code == 401
    assert someone_else.get(f"{API}/me/").status_code == 200


def test_the_export_answers_the_readers_data_by_section(as_user, article, reader):
    mine = add_comment(article, reader, status="held", body="Waiting words")

    response = as_user(reader).get(f"{API}/me/export/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"profile", "tokens", "comments", "votes", "follows",
                         "flags", "appeals"}  # fmt: skip
    assert body["profile"]["id"] == reader.pk
    [comment] = body["comments"]
    assert (comment["id"], comment["article"], comment["parent"]) == (
        mine.pk, article.slug, None,
    )  # fmt: skip
    assert (comment["status"], comment["body"]) == ("held", "Waiting words")
    [device] = body["tokens"]
    assert set(device) == {"created", "expires", "last_used"}


def test_deleting_me_with_the_password_answers_204_and_signs_every_device_out(
    as_user, anon, article, reader
):
    add_comment(article, reader)
    phone, tablet = as_user(reader), as_user(reader)

    assert phone.delete(f"{API}/me/", {"password": PASSWORD}).status_code == 204

    for device in (phone, tablet):
        assert device.get(f"{API}/me/").status_code == 401
    refused = anon.post(f"{API}/auth/token/",
                        {"username": "rosa", "password": PASSWORD})  # fmt: skip
    assert refused.status_code == 400
    assert Comment.objects.get().author_name == "Deleted account"


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "required"), ({"password": "not it"}, "invalid")],
)
def test_deleting_me_without_the_right_password_is_a_400_naming_it(
    as_user, reader, body, code
):
    response = as_user(reader).delete(f"{API}/me/", body)

    assert error_attrs(response) == ["password"]
    assert error_codes(response, 400) == [code]
    assert User.objects.get(pk=reader.pk).username == "rosa"


# --- Articles ----------------------------------------------------------------------


def test_articles_come_in_cursor_pages_newest_first(anon):
    now = timezone.now()
    made = [ArticleFactory(published_at=now - timedelta(hours=i)) for i in range(1, 26)]

    first = anon.get(f"{API}/articles/").json()

    assert set(first) == {"next", "previous", "results"}
    assert first["previous"] is None
    assert len(first["results"]) == 20
    assert set(first["results"][0]) == ARTICLE_LIST_FIELDS
    second = anon.get(first["next"]).json()
    assert second["next"] is None
    assert second["previous"] is not None
    slugs = [a["slug"] for a in first["results"] + second["results"]]
    assert slugs == [a.slug for a in made]
    back = anon.get(second["previous"]).json()
    assert [a["slug"] for a in back["results"]] == slugs[:20]


def test_articles_filter_by_topic_and_search_words(anon):
    chips = TopicFactory(slug="chips")
    ArticleFactory(title="Export controls on chips", slug="a", topics=[chips])
    ArticleFactory(title="Privacy law", slug="b", standfirst="On CHIPS and data.")
    ArticleFactory(title="Broadband", slug="c")

    by_topic = anon.get(f"{API}/articles/", {"topic": "chips"}).json()["results"]
    by_words = anon.get(f"{API}/articles/", {"search": "chips"}).json()["results"]
    no_topic = anon.get(f"{API}/articles/", {"topic": "nothing"}).json()["results"]

    assert [a["slug"] for a in by_topic] == ["a"]
    assert sorted(a["slug"] for a in by_words) == ["a", "b"]
    assert no_topic == []


def test_drafts_and_scheduled_articles_are_never_listed_or_shown(anon):
    topic = TopicFactory(slug="policy")
    ArticleFactory(slug="live", title="Live policy", topics=[topic])
    draft = ArticleFactory(slug="draft", title="Draft policy", draft=True,
                           topics=[topic])  # fmt: skip
    scheduled = ArticleFactory(slug="soon", title="Scheduled policy", scheduled=True,
                               topics=[topic])  # fmt: skip

    for query in ({}, {"topic": "policy"}, {"search": "policy"}):
        listed = anon.get(f"{API}/articles/", query).json()["results"]
        assert [a["slug"] for a in listed] == ["live"]
    for hidden in (draft, scheduled):
        for url in (f"{API}/articles/{hidden.slug}/", comments_url(hidden)):
            response = anon.get(url)
            assert error_codes(response, 404) == ["not_found"]


def test_an_article_shows_every_field_of_the_contract(anon):
    topic = TopicFactory(slug="ai", name="AI")
    author = UserFactory(display_name="Ada Writer")
    article = ArticleFactory(slug="rules", title="The rules", author=author,
                             topics=[topic], body="Some *words*.")  # fmt: skip

    body = anon.get(f"{API}/articles/rules/").json()

    assert set(body) == ARTICLE_FIELDS
    assert body["author"] == "Ada Writer"
    assert body["topics"] == ["ai"]
    assert "<em>words</em>" in body["body_html"]
    assert body["discussion_policy"] == article.discussion_policy
    assert body["comment_count"] == 0


def test_an_unknown_article_cursor_is_a_400_naming_the_cursor(anon):
    response = anon.get(f"{API}/articles/", {"cursor": "not-a-cursor"})

    assert error_attrs(response) == ["cursor"]


# --- Reading a discussion ----------------------------------------------------------


def test_comments_come_as_top_level_threads_with_replies_nested(
    anon, article, reader, other_reader
):
    first = add_comment(article, reader)
    answer = add_comment(article, other_reader, parent=first)
    answer_to_answer = add_comment(article, reader, parent=answer)
    second = add_comment(article, other_reader)

    page = anon.get(comments_url(article)).json()

    assert set(page) == {"next", "previous", "results"}
    assert page["next"] is None
    assert ids(page["results"]) == [first.pk, second.pk]
    top = page["results"][0]
    assert set(top) == COMMENT_FIELDS
    assert top["article"] == article.slug
    assert top["author"] == {"id": reader.pk, "display_name": reader.display_name}
    assert (top["parent"], top["depth"], top["reply_count"]) == (None, 0, 1)
    [reply] = top["replies"]
    assert (reply["id"], reply["parent"], reply["depth"]) == (answer.pk, first.pk, 1)
    [deeper] = reply["replies"]
    assert (deeper["id"], deeper["parent"], deeper["depth"]) == (
        answer_to_answer.pk, answer.pk, 2,
    )  # fmt: skip
    assert deeper["replies"] == []
    assert page["results"][1]["replies"] == []


def test_replies_below_the_display_depth_hang_at_the_last_level_naming_the_parent(
    anon, article, reader
):
    chain = [add_comment(article, reader)]
    for _ in range(MAX_DEPTH):  # one more than the levels shown
        chain.append(add_comment(article, reader, parent=chain[-1]))

    [top] = anon.get(comments_url(article)).json()["results"]

    node, depth = top, 0
    while node["replies"]:
        assert node["depth"] == depth
        last = node
        node, depth = node["replies"][0], depth + 1
    # The deepest shown level holds both the last in-place reply and the one
    # below the limit, which still names the comment it answers.
    assert depth == MAX_DEPTH - 1
    assert ids(last["replies"]) == [chain[-2].pk, chain[-1].pk]
    assert last["replies"][1]["parent"] == chain[-2].pk
    assert last["replies"][1]["depth"] == MAX_DEPTH - 1


def test_comment_pages_follow_the_next_cursor_to_the_end(
    anon, article, reader, settings
):
    settings.COMMENTS_PER_PAGE = 2
    made = [add_comment(article, reader).pk for _ in range(5)]

    seen, url = [], comments_url(article) + "?sort=newest"
    while url:
        page = anon.get(url).json()
        seen += ids(page["results"])
        url = page["next"]

    assert seen == made[::-1]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("oldest", [0, 1, 2, 3]), ("newest", [3, 2, 1, 0]), ("top", [1, 3, 0, 2])],
)
def test_comments_sort_oldest_newest_or_top(anon, article, reader, sort, expected):
    made = [add_comment(article, reader, score=score).pk for score in (1, 5, -2, 5)]

    page = anon.get(comments_url(article), {"sort": sort}).json()

    assert ids(page["results"]) == [made[i] for i in expected]


def test_an_unknown_sort_is_a_400_naming_the_sort(anon, article):
    response = anon.get(comments_url(article), {"sort": "random"})

    assert error_attrs(response) == ["sort"]


@pytest.mark.parametrize("cursor", ["garbage", "e30", "eyJzIjoidG9wIiwiaWQiOjF9"])
def test_a_cursor_the_site_did_not_hand_out_is_a_400(
    anon, article, reader, settings, cursor
):
    # "e30" is {} in base64; the last is a valid cursor for "top", not "oldest".
    settings.COMMENTS_PER_PAGE = 1
    add_comment(article, reader)

    response = anon.get(comments_url(article), {"cursor": cursor})

    assert error_attrs(response) == ["cursor"]


def test_more_replies_come_from_the_replies_endpoint_with_a_cursor(
    anon, article, reader, other_reader, settings
):
    settings.REPLIES_PER_THREAD = 2
    top = add_comment(article, reader)
    replies = [add_comment(article, other_reader, parent=top).pk for _ in range(5)]

    [thread] = anon.get(comments_url(article)).json()["results"]
    assert ids(thread["replies"]) == replies[:2]
    seen, url = [], comment_url(top, "replies")
    while url:
        page = anon.get(url).json()
        assert set(page) == {"next", "previous", "results"}
        seen += ids(page["results"])
        url = page["next"]

    assert seen == replies


def test_one_comment_reads_like_in_the_list(anon, article, reader):
    comment = add_comment(article, reader, body="Hello *there*")

    body = anon.get(comment_url(comment)).json()

    assert set(body) == COMMENT_FIELDS
    assert body["body_html"] == "<p>Hello <em>there</em></p>\n"


def test_status_and_body_show_only_to_the_author_and_status_to_moderators(
    anon, as_user, article, reader, other_reader, moderator
):
    comment = add_comment(article, reader, body="Mine")

    seen = {
        "author": as_user(reader).get(comment_url(comment)).json(),
        "other": as_user(other_reader).get(comment_url(comment)).json(),
        "moderator": as_user(moderator).get(comment_url(comment)).json(),
        "anonymous": anon.get(comment_url(comment)).json(),
    }

    assert (seen["author"]["body"], seen["author"]["status"]) == ("Mine", "approved")
    assert (seen["other"]["body"], seen["other"]["status"]) == (None, None)
    assert (seen["anonymous"]["body"], seen["anonymous"]["status"]) == (None, None)
    assert seen["moderator"]["body"] is None
    assert seen["moderator"]["status"] == "approved"
    # The same holds inside a discussion page.
    [listed] = as_user(other_reader).get(comments_url(article)).json()["results"]
    assert (listed["body"], listed["status"]) == (None, None)


# --- Posting -----------------------------------------------------------------------


def test_a_new_comment_is_201_pending_to_its_author_and_hidden_from_others(
    anon, as_user, article, reader, other_reader, django_capture_on_commit_callbacks
):
    app = as_user(reader)

    with django_capture_on_commit_callbacks(execute=False) as moderation:
        response = app.post(comments_url(article), {"body": "My *first* comment"})

    assert moderation  # handed over after commit, not run in the request
    assert response.status_code == 201
    body = response.json()
    assert set(body) == COMMENT_FIELDS
    assert body["status"] == "pending"
    assert body["body"] == "My *first* comment"
    assert body["body_html"] == "<p>My <em>first</em> comment</p>\n"
    assert (body["parent"], body["depth"], body["score"]) == (None, 0, 0)
    assert body["author"] == {"id": reader.pk, "display_name": reader.display_name}
    assert ids(app.get(comments_url(article)).json()["results"]) == [body["id"]]
    assert anon.get(comments_url(article)).json()["results"] == []
    assert as_user(other_reader).get(comment_url(body["id"])).status_code == 404


def test_once_moderation_approves_everyone_sees_the_comment(
    anon, as_user, article, regular, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = as_user(regular).post(comments_url(article), {"body": "Fair point."})

    [shown] = anon.get(comments_url(article)).json()["results"]
    assert shown["id"] == posted.json()["id"]
    assert shown["status"] is None  # not the author
    assert as_user(regular).get(comment_url(shown["id"])).json()["status"] == (
        "approved"
    )


def test_a_comment_the_machine_rejects_at_once_still_answers_201_to_its_author(
    as_user, article, regular, django_capture_on_commit_callbacks
):
    # Moderation may decide before the answer is written (tasks run in-process
    # under `make run`, or a quick worker): the author still gets their comment.
    Term.objects.create(phrase="fraudster", kind=Term.Kind.BANNED)
    app = as_user(regular)

    with django_capture_on_commit_callbacks(execute=True):
        first = app.post(
            comments_url(article), {"body": "The minister is a fraudster."},
            HTTP_IDEMPOTENCY_KEY="k1",
        )  # fmt: skip
    again = app.post(
        comments_url(article), {"body": "The minister is a fraudster."},
        HTTP_IDEMPOTENCY_KEY="k1",
    )  # fmt: skip

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Comment.objects.get(pk=first.json()["id"]).status == "rejected"


def test_replies_and_replies_to_replies_take_their_place_in_the_thread(
    as_user, article, reader, other_reader, django_capture_on_commit_callbacks
):
    top = add_comment(article, other_reader)
    app = as_user(reader)

    reply = app.post(comments_url(article), {"body": "A reply", "parent": top.pk})
    # Readers may answer their own comment while it waits for moderation.
    again = app.post(
        comments_url(article), {"body": "And more", "parent": reply.json()["id"]}
    )

    assert reply.status_code == again.status_code == 201
    assert (reply.json()["parent"], reply.json()["depth"]) == (top.pk, 1)
    assert (again.json()["parent"], again.json()["depth"]) == (reply.json()["id"], 2)
    [thread] = app.get(comments_url(article)).json()["results"]
    assert ids(thread["replies"]) == [reply.json()["id"]]
    assert ids(thread["replies"][0]["replies"]) == [again.json()["id"]]


def test_a_reply_to_a_comment_on_another_article_is_a_400_naming_the_parent(
    as_user, article, reader
):
    elsewhere = add_comment(ArticleFactory(), reader)

    response = as_user(reader).post(
        comments_url(article), {"body": "Lost", "parent": elsewhere.pk}
    )

    assert error_attrs(response) == ["parent"]


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "body"), ({"body": "   "}, "body"), ({"body": "x" * 5001}, "body"),
     ({"body": "hi", "parent": "first"}, "parent"), ({"body": ["hi"]}, "body")],
)  # fmt: skip
def test_a_bad_comment_is_a_400_naming_the_field(as_user, article, reader, data, field):
    response = as_user(reader).post(comments_url(article), data)

    assert error_attrs(response) == [field]
    assert not Comment.objects.exists()


def test_posting_needs_a_token(anon, article):
    response = anon.post(comments_url(article), {"body": "Hello"})

    assert response.status_code == 401
    assert not Comment.objects.exists()


def test_a_closed_discussion_refuses_new_comments_with_a_message(as_user, reader):
    closed = ArticleFactory(discussion_policy=Article.DiscussionPolicy.CLOSED)

    response = as_user(reader).post(comments_url(closed), {"body": "Late"})

    assert "closed" in error_detail(response, 400)


def test_posting_again_reads_no_article_though_the_discussion_moved(
    as_user, article, reader
):
    app = as_user(reader)
    assert (
        app.post(comments_url(article), {"body": "The first point"}).status_code == 201
    )

    with CaptureQueriesContext(connection) as captured:
        again = app.post(comments_url(article), {"body": "And a second, on the cost"})

    assert again.status_code == 201
    assert not [q for q in captured if Article._meta.db_table in q["sql"]]


@pytest.mark.parametrize("closing", ["by policy", "by date"])
def test_a_discussion_closed_after_a_post_refuses_the_next_one_at_once(
    as_user, article, reader, closing
):
    app = as_user(reader)
    assert app.post(comments_url(article), {"body": "In time"}).status_code == 201

    if closing == "by policy":
        article.discussion_policy = Article.DiscussionPolicy.CLOSED
    else:
        article.comments_close_after_days = 0
    article.save()
    response = app.post(comments_url(article), {"body": "Too late now"})

    assert "closed" in error_detail(response, 400)
    assert not Comment.objects.filter(body="Too late now").exists()


def test_a_discussion_refuses_posts_once_its_closing_day_passes(
    as_user, article, reader
):
    article.comments_close_after_days = 3
    article.save()
    app = as_user(reader)
    assert app.post(comments_url(article), {"body": "In time"}).status_code == 201

    # Nothing is edited: only the clock moves past the closing day.
    with time_machine.travel(article.published_at + timedelta(days=3, minutes=1)):
        response = app.post(comments_url(article), {"body": "Too late now"})

    assert "closed" in error_detail(response, 400)


def test_a_repeated_idempotency_key_answers_with_the_first_comment(
    as_user, article, reader, other_reader
):
    app = as_user(reader)
    headers = {"HTTP_IDEMPOTENCY_KEY": "4f1c-retry"}

    first = app.post(comments_url(article), {"body": "Once"}, **headers)
    retry = app.post(comments_url(article), {"body": "Once"}, **headers)
    # The key belongs to its author: somebody else's same key is their own.
    theirs = as_user(other_reader).post(comments_url(article), {"body": "Once"},
                                        **headers)  # fmt: skip

    assert first.status_code == retry.status_code == theirs.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert theirs.json()["id"] != first.json()["id"]
    assert Comment.objects.filter(author=reader).count() == 1


def test_posting_too_fast_is_a_429_with_retry_after(as_user, article, reader, settings):
    settings.COMMENT_THROTTLE_RATE = "2/minute"
    app = as_user(reader)

    answers = [
        app.post(comments_url(article), {"body": f"Comment {i}"}).status_code
        for i in range(3)
    ]
    response = app.post(comments_url(article), {"body": "One more"})

    assert answers == [201, 201, 429]
    assert "wait" in error_detail(response, 429)
    assert int(response.headers["Retry-After"]) > 0


# --- Votes and flags ---------------------------------------------------------------


def test_votes_go_up_down_and_away(as_user, article, reader, other_reader):
    comment = add_comment(article, other_reader)
    app = as_user(reader)

    answers = [
        app.post(comment_url(comment, "vote"), {"value": value}).json()
        for value in (1, 1, -1, 0)
    ]

    assert answers == [
        {"score": 1, "my_vote": 1},
        {"score": 1, "my_vote": 1},
        {"score": -1, "my_vote": -1},
        {"score": 0, "my_vote": 0},
    ]
    app.post(comment_url(comment, "vote"), {"value": -1})
    [shown] = app.get(comments_url(article)).json()["results"]
    assert (shown["score"], shown["my_vote"]) == (-1, -1)
    assert app.get(comment_url(comment)).json()["my_vote"] == -1


@pytest.mark.parametrize("value", [5, 2, "up", None, True])
def test_a_vote_other_than_1_minus_1_or_0_is_a_400(
    as_user, article, reader, other_reader, value
):
    comment = add_comment(article, other_reader)

    response = as_user(reader).post(comment_url(comment, "vote"), {"value": value})

    assert error_attrs(response) == ["value"]


def test_nobody_votes_on_their_own_comment_and_anonymous_readers_not_at_all(
    anon, as_user, article, reader
):
    comment = add_comment(article, reader)

    own = as_user(reader).post(comment_url(comment, "vote"), {"value": 1})
    nobody = anon.post(comment_url(comment, "vote"), {"value": 1})

    assert "own comment" in error_detail(own, 403)
    assert nobody.status_code == 401


def test_a_flag_is_201_and_a_second_flag_by_the_same_reader_is_409(
    as_user, article, reader, other_reader
):
    comment = add_comment(article, other_reader)
    app = as_user(reader)

    first = app.post(comment_url(comment, "flags"), {"reason": "abuse", "note": "Rude"})
    second = app.post(comment_url(comment, "flags"), {"reason": "spam"})

    assert first.status_code == 201
    assert first.json()["comment"] == comment.pk
    assert (first.json()["reason"], first.json()["note"]) == ("abuse", "Rude")
    assert "already flagged" in error_detail(second, 409)
    assert Flag.objects.count() == 1


def test_a_flag_needs_a_known_reason(as_user, article, reader, other_reader):
    comment = add_comment(article, other_reader)

    response = as_user(reader).post(comment_url(comment, "flags"), {"reason": "meh"})

    assert error_attrs(response) == ["reason"]


def test_enough_flags_hold_a_comment_for_the_moderators(
    as_user, article, other_reader, settings
):
    settings.MODERATION_FLAGS_TO_HOLD = 2
    comment = add_comment(article, other_reader)

    for flagger in UserFactory.create_batch(2):
        as_user(flagger).post(comment_url(comment, "flags"), {"reason": "abuse"})

    comment.refresh_from_db()
    assert comment.status == "held"


# --- Editing and deleting ----------------------------------------------------------


def test_the_author_edits_within_the_window(as_user, article, reader):
    comment = add_comment(article, reader, body="Frist")

    response = as_user(reader).patch(comment_url(comment), {"body": "First, *fixed*"})

    assert response.status_code == 200
    body = response.json()
    assert body["body"] == "First, *fixed*"
    assert "<em>fixed</em>" in body["body_html"]
    assert body["edited_at"] is not None
    assert body["status"] == "pending"  # an edit is moderated again


def test_nobody_else_edits_a_comment(anon, as_user, article, reader, other_reader):
    comment = add_comment(article, reader, body="Mine")

    theirs = as_user(other_reader).patch(comment_url(comment), {"body": "Hijacked"})
    nobody = anon.patch(comment_url(comment), {"body": "Hijacked"})

    assert "your own" in error_detail(theirs, 403)
    assert nobody.status_code == 401
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_editing_after_the_window_is_refused_with_a_message(as_user, article, reader):
    comment = add_comment(article, reader)
    app = as_user(reader)

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        response = app.patch(comment_url(comment), {"body": "Too late"})

    assert "minutes after posting" in error_detail(response, 403)


def test_deleting_is_soft_the_replies_stay(
    anon, as_user, article, reader, other_reader
):
    comment = add_comment(article, reader, body="Regret this")
    reply = add_comment(article, other_reader, parent=comment)
    app = as_user(reader)

    assert as_user(other_reader).delete(comment_url(comment)).status_code == 403
    assert anon.delete(comment_url(comment)).status_code == 401
    response = app.delete(comment_url(comment))

    assert response.status_code == 204
    assert response.content == b""
    for viewer in (app, anon):
        [thread] = viewer.get(comments_url(article)).json()["results"]
        assert thread["id"] == comment.pk
        assert thread["is_deleted"] is True
        assert thread["body_html"] == ""
        assert thread["body"] is None
        assert ids(thread["replies"]) == [reply.pk]
    again = app.delete(comment_url(comment))
    assert "deleted" in error_detail(again, 400)


# --- ETag and query counts ---------------------------------------------------------


def test_an_unchanged_discussion_answers_304_until_a_comment_is_approved(
    anon, as_user, article, regular, django_capture_on_commit_callbacks
):
    add_comment(article, regular)
    first = anon.get(comments_url(article))
    etag = first.headers["ETag"]

    cached = anon.get(comments_url(article), HTTP_IF_NONE_MATCH=etag)

    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["ETag"] == etag
    with django_capture_on_commit_callbacks(execute=True):
        as_user(regular).post(comments_url(article), {"body": "Something new"})
    changed = anon.get(comments_url(article), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert len(changed.json()["results"]) == 2


def test_the_etag_moves_for_an_author_who_posts_a_pending_comment(
    as_user, article, reader, other_reader, django_capture_on_commit_callbacks
):
    add_comment(article, other_reader)
    app = as_user(reader)
    etag = app.get(comments_url(article)).headers["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        app.post(comments_url(article), {"body": "Waiting for a moderator"})
    response = app.get(comments_url(article), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_the_etag_differs_by_viewer_sort_and_page(anon, as_user, article, reader):
    add_comment(article, reader)

    etags = {
        anon.get(comments_url(article)).headers["ETag"],
        anon.get(comments_url(article), {"sort": "top"}).headers["ETag"],
        as_user(reader).get(comments_url(article)).headers["ETag"],
    }

    assert len(etags) == 3


@pytest.mark.parametrize("signed", [False, True])
def test_a_comments_page_costs_the_same_queries_for_10_or_1000_comments(
    django_assert_num_queries, signed
):
    authors = UserFactory.create_batch(4)
    app = json_client()
    if signed:
        app.credentials(HTTP_AUTHORIZATION=f"Token {sign_in(app, authors[0].username)}")
    counts = []
    for top_level, replies_each in [(2, 4), (40, 24)]:
        article = ArticleFactory()
        grow(article, authors, top_level=top_level, replies_each=replies_each)
        app.get(comments_url(article))
        app.get(comments_url(article))  # the article is remembered from here on
        # The shared page and the article are kept: nothing anonymously; signed
        # in (the token and its groups remembered), one for the reader's own
        # comments and their votes.
        with django_assert_num_queries(1 if signed else 0) as captured:
            response = app.get(comments_url(article))
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


# --- Moderators --------------------------------------------------------------------


def test_the_queue_is_for_moderators_only(anon, as_user, reader, moderator):
    assert as_user(moderator).get(f"{API}/moderation/queue/").status_code == 200
    assert as_user(reader).get(f"{API}/moderation/queue/").status_code == 403
    assert anon.get(f"{API}/moderation/queue/").status_code == 401


def test_the_queue_lists_waiting_comments_oldest_first_with_the_reasons(
    as_user, article, reader, other_reader, moderator
):
    held = add_comment(article, reader, status="held", body="Held one")
    pending = add_comment(article, reader, status="pending")
    flagged = add_comment(article, reader)
    add_comment(article, reader)  # approved and unflagged: not waiting
    Flag.objects.create(comment=flagged, user=other_reader, reason="abuse")
    app = as_user(moderator)

    everything = app.get(f"{API}/moderation/queue/").json()
    only_held = app.get(f"{API}/moderation/queue/", {"status": "held"}).json()
    only_flagged = app.get(f"{API}/moderation/queue/", {"status": "flagged"}).json()

    assert ids(everything["results"]) == [held.pk, pending.pk, flagged.pk]
    first = everything["results"][0]
    assert first["body"] == "Held one"
    assert first["status"] == "held"
    assert {"reasons", "scores", "open_flags"} <= set(first)
    assert everything["results"][2]["open_flags"] == 1
    assert ids(only_held["results"]) == [held.pk]
    assert ids(only_flagged["results"]) == [flagged.pk]


def test_an_unknown_queue_status_is_a_400(as_user, moderator):
    response = as_user(moderator).get(f"{API}/moderation/queue/", {"status": "all"})

    assert error_attrs(response) == ["status"]


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("spam", "spam")],
)
def test_a_moderator_decides_a_comment_and_the_audit_log_records_it(
    as_user, article, reader, moderator, action, status
):
    comment = add_comment(article, reader, status="held")

    response = as_user(moderator).post(
        f"{API}/moderation/comments/{comment.pk}/decision/",
        {"action": action, "reason": "Checked by hand."},
    )

    assert response.status_code == 200
    assert response.json()["status"] == status
    comment.refresh_from_db()
    assert comment.status == status
    entry = AuditEntry.objects.get(comment=comment)
    assert (entry.actor, entry.action, entry.before, entry.after) == (
        moderator, action, "held", status,
    )  # fmt: skip
    assert entry.reasons == ["Checked by hand."]


def test_a_second_moderators_decision_of_a_moment_ago_is_a_409(
    as_user, article, reader, moderator
):
    from django.contrib.auth.models import Group

    other = UserFactory(username="quick", groups=[Group.objects.get(name="Moderators")])
    comment = add_comment(article, reader, status="held")
    url = f"{API}/moderation/comments/{comment.pk}/decision/"
    first = as_user(other).post(url, {"action": "reject"})

    second = as_user(moderator).post(url, {"action": "approve"})

    assert first.status_code == 200
    assert second.status_code == 409
    error = second.json()["errors"][0]
    assert error["code"] == "conflict"
    assert "quick acted on this comment" in error["detail"]
    comment.refresh_from_db()
    assert comment.status == "rejected"


def test_a_decision_needs_a_moderator_and_a_known_action(
    as_user, article, reader, other_reader, moderator
):
    comment = add_comment(article, reader, status="held")
    url = f"{API}/moderation/comments/{comment.pk}/decision/"

    by_reader = as_user(other_reader).post(url, {"action": "approve"})
    unknown = as_user(moderator).post(url, {"action": "hold"})
    missing = as_user(moderator).post(
        f"{API}/moderation/comments/999999/decision/", {"action": "approve"}
    )

    assert by_reader.status_code == 403
    assert error_attrs(unknown) == ["action"]
    assert missing.status_code == 404
    comment.refresh_from_db()
    assert comment.status == "held"
    assert not AuditEntry.objects.exists()


def test_a_banned_reader_is_refused_with_a_message(as_user, article, reader, moderator):
    app = as_user(reader)

    ban = as_user(moderator).post(
        f"{API}/moderation/users/{reader.pk}/ban/", {"reason": "Repeated abuse"}
    )
    response = app.post(comments_url(article), {"body": "Still here"})

    assert ban.status_code == 200
    assert ban.json()["ban_is_permanent"] is True
    assert "banned" in error_detail(response, 403)
    assert "Repeated abuse" in error_detail(response, 403)
    assert AuditEntry.objects.filter(action="ban", subject_user=reader).exists()


def test_a_temporary_ban_must_end_in_the_future(as_user, reader, moderator):
    past = (timezone.now() - timedelta(days=1)).isoformat()

    response = as_user(moderator).post(
        f"{API}/moderation/users/{reader.pk}/ban/", {"reason": "x", "until": past}
    )

    assert error_attrs(response) == ["until"]


def test_only_moderators_ban_and_moderators_are_not_banned(
    as_user, reader, other_reader, moderator
):
    by_reader = as_user(other_reader).post(
        f"{API}/moderation/users/{reader.pk}/ban/", {"reason": "I dislike them"}
    )
    other_mod = UserFactory(is_superuser=True)
    of_moderator = as_user(moderator).post(
        f"{API}/moderation/users/{other_mod.pk}/ban/", {"reason": "Coup"}
    )

    assert by_reader.status_code == 403
    assert of_moderator.status_code == 403
    reader.refresh_from_db()
    assert not reader.has_active_ban
