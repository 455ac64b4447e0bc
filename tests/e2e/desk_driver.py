"""Drives the moderator desk in a real browser: signs a moderator in and clears
cards by keyboard alone. The browser tests and `make bench` both use it."""

import time

from django.conf import settings
from django.test import Client

DESK = "/moderation/desk/"
# Wait until the focus has left the decided card for a live one.
_FOCUS_MOVED = """pk => {
  const c = document.querySelector('#desk-cards .card.is-focused');
  return c && c.dataset.commentId !== pk && !c.classList.contains('is-done');
}"""


def sign_in(context, user, base_url: str) -> None:
    """Give the browser context a signed-in session for `user`."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def focused_id(page) -> str:
    return page.locator("#desk-cards .card.is-focused").get_attribute("data-comment-id")


def decide_by_key(page, key: str, *, last: bool = False) -> str:
    """Press one decision key on the focused card; wait for the desk to answer
    and, unless it was the last card, for the focus to move on."""
    pk = focused_id(page)
    page.keyboard.press(key)
    page.wait_for_selector(f"#card-{pk}.is-done, #card-{pk}.is-refused")
    if not last:
        page.wait_for_function(_FOCUS_MOVED, arg=pk)
    return pk


def clear_by_keyboard(page, count: int, keys: str = "ars") -> tuple[list[str], float]:
    """Decide `count` cards in a row by key; the ids decided and the seconds taken."""
    page.goto(DESK)
    page.wait_for_selector("#desk-cards .card.is-focused")
    decided = []
    start = time.perf_counter()
    for i in range(count):
        decided.append(decide_by_key(page, keys[i % len(keys)], last=i == count - 1))
    return decided, time.perf_counter() - start
