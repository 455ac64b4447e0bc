"""The moderator desk: the page with few and many cards side by side, the server's
time per decision and per undo, and decisions a minute by keyboard in chromium."""

import re
import uuid
from pathlib import Path

from bench.harness import measure, ok, plain_static_storage, print_row

SIZES = (5, 50)
DECISIONS = 60
KEYBOARD_CARDS = 20
CHROMIUM = Path("/usr/bin/chromium")
_SEEN = re.compile(r'data-comment-id="(\d+)".*?name="seen" value="(\d+)"', re.S)


def run() -> None:
    print("\nModerator desk")  # noqa: T201
    with plain_static_storage():
        moderator = _moderator()
        client = _client(moderator)
        for size in SIZES:
            _fill(size)
            print_row(f"GET the desk, {size} cards", measure(lambda: _desk(client)))
            _clear()
        _decisions(client)
        _keyboard(moderator)


def _moderator():
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    return UserFactory(
        username=f"desk-{uuid.uuid4().hex[:6]}",
        groups=[Group.objects.get(name="Moderators")],
    )


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _fill(count: int) -> None:
    """Held comments by different authors on a new article."""
    from comments.models import Comment
    from comments.services import comment_import
    from tests.factories import ArticleFactory, UserFactory

    article = ArticleFactory(slug=f"desk-bench-{uuid.uuid4().hex[:6]}")
    authors = UserFactory.create_batch(min(count, 20))
    for i in range(count):
        comment_import(
            article=article,
            author=authors[i % len(authors)],
            body=f"A held comment that needs a look, number {i}.",
            status=Comment.Status.HELD,
        )


def _clear() -> None:
    from comments.models import Comment
    from moderation.models import DeskClaim

    DeskClaim.objects.all().delete()
    Comment.objects.filter(status=Comment.Status.HELD).update(
        status=Comment.Status.REJECTED
    )


def _desk(client):
    from moderation.models import DeskClaim

    DeskClaim.objects.all().delete()  # each load claims its cards afresh
    return ok(client.get("/moderation/desk/"))


def _decisions(client) -> None:
    """Decide cards one after another as the desk's keys do: one POST each."""
    from django.test import override_settings

    _fill(DECISIONS + 5)
    with override_settings(MODERATION_DESK_BATCH=DECISIONS + 5):
        cards = _SEEN.findall(_desk(client).content.decode())
    queue = iter(cards)

    def decide():
        pk, seen = next(queue)
        ok(
            client.post(
                f"/moderation/desk/{pk}/decide/",
                {"action": "reject", "seen": seen},
                HTTP_HX_REQUEST="true",
            )
        )

    print_row("POST a decision (htmx)", measure(decide, repeat=DECISIONS - 4))

    def decide_and_undo():
        decide()
        ok(client.post("/moderation/desk/undo/", HTTP_HX_REQUEST="true"))

    _clear()
    _fill(20)
    with override_settings(MODERATION_DESK_BATCH=20):
        queue = iter(_SEEN.findall(_desk(client).content.decode()))
    print_row(
        "POST a decision, then undo it", measure(decide_and_undo, repeat=10, warmup=2)
    )
    _clear()


def _keyboard(moderator) -> None:
    """A moderator's keyboard run in real chromium against a live server."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test import override_settings
    from django.test.testcases import LiveServerThread

    if not CHROMIUM.exists():
        print(f"  (keyboard run needs chromium at {CHROMIUM})")  # noqa: T201
        return
    import os

    from playwright.sync_api import sync_playwright

    from tests.e2e.desk_driver import clear_by_keyboard, sign_in

    _fill(KEYBOARD_CARDS)
    # Playwright's sync API runs an event loop in this thread; the database work
    # here stays synchronous (as in the browser tests).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # The server's request threads close their connections after each request,
    # so none is left open on the scratch database when it is dropped.
    kept_max_age = connections.settings["default"].get("CONN_MAX_AGE", 0)
    connections.settings["default"]["CONN_MAX_AGE"] = 0
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    with override_settings(ALLOWED_HOSTS=["127.0.0.1"]):
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base = f"http://127.0.0.1:{server.port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
                )
                context = browser.new_context(base_url=base)
                sign_in(context, moderator, base)
                page = context.new_page()
                decided, seconds = clear_by_keyboard(page, KEYBOARD_CARDS)
                browser.close()
        finally:
            server.terminate()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            connections.settings["default"]["CONN_MAX_AGE"] = kept_max_age
    rate = len(decided) / seconds * 60
    label = f"decisions a minute by keyboard ({KEYBOARD_CARDS} cards)"
    print(f"  {label:<44} {rate:7.0f} /min")  # noqa: T201
