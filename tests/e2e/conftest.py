"""Real Debian chromium driven by Playwright against the live test server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="package")
def browser():
    """Chromium for the browser tests in a row (each test has a context of its
    own); Playwright's event loop ends with it, before any other test runs."""
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM} (CI installs Debian's package)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread while
    # it lives; the tests' own database work there is still synchronous, so
    # Django may allow it until the loop is gone.
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            yield browser
            browser.close()
    finally:
        os.environ.pop(ASYNC_UNSAFE, None)


@pytest.fixture(autouse=True)
def _accounts_are_trusted(settings):
    """Readers' first comments appear at once here; moderation has its own tests."""
    settings.MODERATION_HOLD_NEW_ACCOUNTS = False


@pytest.fixture
def open_as(browser, live_server):
    """Open a page in a browser context of its own, signed in as `user` (or as
    nobody), with console errors collected on the page."""
    from tests.e2e.desk_driver import sign_in

    contexts = []

    def open_page(user=None, **options):
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        if user is not None:
            sign_in(context, user, live_server.url)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda m: m.type == "error" and page.console_errors.append(m.text),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_as):
    """A fresh browser context per test, signed in as nobody."""
    return open_as()
