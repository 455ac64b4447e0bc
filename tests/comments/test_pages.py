"""The discussion under an article, with plain form posts and with htmx."""

import re

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.comments.helpers import add_comment, grow
from tests.factories import ArticleFactory, UserFactory
from tests.html_safety import unsafe_parts

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def form_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def signed_in(client, reader):
    client.force_login(reader)
    return client


def post_comment(client, article, capture, **data):
    with capture(execute=True):
        return client.post(reverse("comments:post", args=[article.slug]), data)


def test_a_reader_comments_with_a_plain_form_and_lands_on_it(
    signed_in, article, django_capture_on_commit_callbacks
):
    page = signed_in.get(article.get_absolute_url()).content.decode()
    response = post_comment(
        signed_in,
        article,
        django_capture_on_commit_callbacks,
        body="Export controls *leak*.",
        token=form_token(page),
    )

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{comment.pk}")
    html = signed_in.get(article.get_absolute_url()).content.decode()
    assert "Export controls <em>leak</em>." in html
    assert "Discussion (1)" in html


def test_a_double_submitted_form_posts_once(
    signed_in, article, django_capture_on_commit_callbacks
):
    token = form_token(signed_in.get(article.get_absolute_url()).content.decode())
    for _ in range(2):
        post_comment(
            signed_in,
            article,
            django_capture_on_commit_callbacks,
            body="Only once please",
            token=token,
        )

    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("bad\x00byte", "Null characters are not allowed"),
        ("bad\x07bell", "control character (U+0007)"),
    ],
)
def test_form_errors_show_next_to_the_form_not_as_a_server_error(
    signed_in, article, body, message
):
    response = signed_in.post(
        reverse("comments:post", args=[article.slug]), {"body": body}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'id="comment-form"' in response.content.decode()
    assert not Comment.objects.exists()


def test_a_reply_page_works_without_javascript(
    client, reader, other_reader, article, django_capture_on_commit_callbacks
):
    parent = add_comment(article, other_reader, body="Original point")
    client.force_login(reader)

    page = client.get(reverse("comments:reply", args=[parent.pk]))
    assert "Reply to" in page.content.decode()
    response = post_comment(
        client,
        article,
        django_capture_on_commit_callbacks,
        body="A reply",
        parent=parent.pk,
    )

    reply = Comment.objects.get(parent=parent)
    assert response.status_code == 302
    assert f"#comment-{reply.pk}" in response.url
    assert reply.status == "approved"


def test_htmx_reply_returns_just_the_new_comment(
    signed_in, other_reader, article, django_capture_on_commit_callbacks
):
    parent = add_comment(article, other_reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("comments:post", args=[article.slug]),
            {"body": "Inline reply", "parent": parent.pk},
            **HTMX,
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Inline reply" in html
    assert 'class="comment depth-1 mine"' in html


def test_htmx_form_error_is_swapped_into_the_form(signed_in, article):
    response = signed_in.post(
        reverse("comments:post", args=[article.slug]), {"body": ""}, **HTMX
    )

    assert response["HX-Retarget"] == "#comment-form"
    assert "Write something before posting." in response.content.decode()


def test_posting_too_fast_says_to_wait(
    signed_in, article, settings, django_capture_on_commit_callbacks
):
    settings.COMMENT_THROTTLE_RATE = "2/minute"
    for i in range(2):
        post_comment(
            signed_in, article, django_capture_on_commit_callbacks, body=f"n{i}"
        )

    response = post_comment(
        signed_in, article, django_capture_on_commit_callbacks, body="one too many"
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "please wait" in response.content.decode()
    assert Comment.objects.count() == 2


def test_guest_comment_is_held_and_shown_only_as_awaiting_to_nobody_else(
    client, article, django_capture_on_commit_callbacks
):
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'name="guest_email"' in html

    post_comment(
        client,
        article,
        django_capture_on_commit_callbacks,
        body="Guest view",
        guest_name="Ann",
        guest_email="ann@example.org",
    )

    assert Comment.objects.get().status == "held"
    assert "Guest view" not in client.get(article.get_absolute_url()).content.decode()


def test_the_author_sees_awaiting_moderation_on_their_held_comment(
    signed_in, reader, article
):
    add_comment(article, reader, status="held", body="Still waiting")

    html = signed_in.get(article.get_absolute_url()).content.decode()

    assert "Still waiting" in html
    assert "Awaiting moderation" in html


def test_edit_and_delete_pages_work_without_javascript(signed_in, reader, article):
    comment = add_comment(article, reader, body="Frist")

    edit = signed_in.post(
        reverse("comments:edit", args=[comment.pk]), {"body": "First"}
    )
    assert edit.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "First"
    assert comment.edited_at

    assert (
        "Delete your comment?"
        in signed_in.get(reverse("comments:delete", args=[comment.pk])).content.decode()
    )
    signed_in.post(reverse("comments:delete", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.is_deleted
    html = signed_in.get(article.get_absolute_url()).content.decode()
    assert "This comment was deleted by its author." in html


def test_another_readers_comment_cannot_be_edited_or_deleted(
    client, reader, other_reader, article
):
    comment = add_comment(article, other_reader, body="Theirs")
    client.force_login(reader)

    assert (
        client.post(
            reverse("comments:edit", args=[comment.pk]), {"body": "x"}
        ).status_code
        == 403
    )
    assert client.post(reverse("comments:delete", args=[comment.pk])).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Theirs"
    assert not comment.is_deleted


def test_a_pending_comment_is_404_to_everyone_but_its_author(
    client, reader, other_reader, article
):
    hidden = add_comment(article, reader, status="pending")
    for url in [
        reverse("comments:reply", args=[hidden.pk]),
        reverse("comments:permalink", args=[hidden.pk]),
    ]:
        assert client.get(url).status_code == 404
        client.force_login(other_reader)
        assert client.get(url).status_code == 404
        client.logout()


def test_voting_with_a_form_and_with_htmx(client, reader, other_reader, article):
    comment = add_comment(article, other_reader)
    client.force_login(reader)
    url = reverse("comments:vote", args=[comment.pk])

    assert client.post(url, {"value": "1"}).status_code == 302
    response = client.post(url, {"value": "-1"}, **HTMX)

    comment.refresh_from_db()
    assert comment.score == -1
    assert 'aria-pressed="true" aria-label="Vote down"' in response.content.decode()
    assert client.post(url, {"value": "5"}, **HTMX).status_code == 200
    comment.refresh_from_db()
    assert comment.score == -1


def test_signed_out_vote_goes_to_sign_in(client, reader, article):
    comment = add_comment(article, reader)

    response = client.post(reverse("comments:vote", args=[comment.pk]), {"value": "1"})

    assert response.url.startswith("/accounts/login/")


def test_sort_switch_and_load_more(client, reader, article, settings):
    settings.COMMENTS_PER_PAGE = 2
    for n in "ABC":
        add_comment(article, reader, body=f"Number {n}")

    newest = client.get(article.get_absolute_url() + "?sort=newest").content.decode()
    assert newest.index("Number C") < newest.index("Number B")
    assert "Number A" not in newest
    more_url = re.search(r'hx-get="(\?sort=newest&amp;cursor=[^"]+)"', newest).group(1)
    more = client.get(
        article.get_absolute_url() + more_url.replace("&amp;", "&"), **HTMX
    )
    assert "Number A" in more.content.decode()
    assert "<html" not in more.content.decode()


def test_a_permalink_opens_the_thread_that_holds_the_comment(client, reader, article):
    top = add_comment(article, reader, body="Thread start")
    reply = add_comment(article, reader, parent=top, body="Deep in it")
    add_comment(article, reader, body="Another thread")

    response = client.get(reverse("comments:permalink", args=[reply.pk]), follow=True)

    html = response.content.decode()
    assert f'id="comment-{reply.pk}"' in html
    assert "Another thread" not in html
    assert "Show the whole discussion" in html


def test_comments_feed_lists_approved_comments_only(client, reader, article):
    add_comment(article, reader, body="Visible words")
    add_comment(article, reader, body="Pending words", status="pending")

    body = client.get(reverse("comments:feed", args=[article.slug])).content.decode()

    assert "Visible words" in body
    assert "Pending words" not in body


def test_hostile_bodies_render_safely_on_the_page(
    signed_in, client, article, shared_data, settings
):
    settings.COMMENT_THROTTLE_RATE = "100000/minute"
    lines = (shared_data / "blns.txt").read_text(encoding="utf-8").splitlines()
    hostile = [line for line in lines if line.strip() and not line.startswith("#")]
    hostile += [
        '<img src=x onerror=alert(1)>', "[x](javascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)", "\u202eevil override",
        '<a href="#" onmouseover="alert(1)">x</a>', "<svg/onload=alert(1)>",
        "```\n</code><script>alert(1)</script>\n```",
    ]  # fmt: skip
    # Every string through the form; moderation is not what this reads, so the
    # comments are then published at once, all on one page.
    settings.COMMENTS_PER_PAGE = len(hostile)
    url = reverse("comments:post", args=[article.slug])
    for i, body in enumerate(hostile):
        response = signed_in.post(url, {"body": f"{body} #{i}"})
        assert response.status_code in {302, 400}, body

    comments = list(Comment.objects.all())
    assert len(comments) > 400
    for comment in comments:
        assert unsafe_parts(comment.body_html) == [], comment.body
    Comment.objects.update(status="approved")
    assert signed_in.get(article.get_absolute_url() + "?thread=").status_code == 200
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    threads = html[html.index('<div id="threads">') : html.index("</main>")]
    assert unsafe_parts(threads) == []
    assert "Load more comments" not in threads
    for comment in comments:
        assert f'id="comment-{comment.pk}"' in threads


@pytest.mark.parametrize("signed", [False, True])
def test_article_page_queries_are_the_same_for_10_and_1000_comments(
    client, django_assert_max_num_queries, signed
):
    authors = UserFactory.create_batch(4)
    if signed:
        client.force_login(authors[0])
    counts = []
    for top_level, replies_each in [(2, 4), (40, 24)]:
        article = ArticleFactory()
        grow(article, authors, top_level=top_level, replies_each=replies_each)
        client.get(article.get_absolute_url())
        # article, topics, top-level page, replies; signed in: session and user too
        with django_assert_max_num_queries(6 if signed else 4) as captured:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


def test_a_reader_lists_their_own_comments_with_where_each_stands(
    client, reader, other_reader, article
):
    add_comment(article, reader, body="Published words")
    add_comment(article, reader, body="Waiting words", status="held")
    add_comment(article, other_reader, body="Someone else's words")
    client.force_login(reader)

    html = client.get(reverse("comments:mine")).content.decode()

    assert "Published words" in html
    assert "Waiting words" in html
    assert "Awaiting moderation" in html
    assert "Someone else" not in html
    assert reverse("comments:mine") in client.get(reverse("profile")).content.decode()
