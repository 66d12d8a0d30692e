"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from pathlib import Path

import pytest

from mysite.dispatcher import Dispatcher
from tests.blog.conftest import make_post  # noqa: F401 (the blog's fixture serves its browser tests too)
from tests.conftest import live_server

# Playwright's sync API runs an event loop in this thread; Django only objects
# because of its ORM, which this project does not use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


PATIENCE_MS = 25_000


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # CI machines are small and shared: give assertions the same patience as actions. A passing test
    # never waits this long; a sign-up (Cognito, then DynamoDB) took over 10 s with two suites running.
    expect.set_options(timeout=PATIENCE_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_url(local_stack) -> str:
    """The site served by a real WSGI server thread, with its static files."""
    with live_server(static_files=True) as url:
        yield url


@contextlib.contextmanager
def watched_page(browser, site_url: str):
    """A page in a browser context of its own (its own cookies), under the Content-Security-Policy watch:
    every page must work under the policy, and the browser reports each refusal on the console."""
    # The browser's zone is UTC whatever the machine's: quick add and reminders read typed times in it.
    context = browser.new_context(base_url=site_url, viewport={"width": 1200, "height": 900}, timezone_id="UTC")
    context.set_default_timeout(PATIENCE_MS)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{message.text} at {message.location}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert violations == [], violations


@pytest.fixture
def page(browser, site_url):
    with watched_page(browser, site_url) as page:
        yield page


@pytest.fixture
def running_dispatcher():
    """The local event dispatcher in a background thread, as `make run` has it."""
    stop = threading.Event()
    dispatcher = Dispatcher()
    thread = threading.Thread(target=dispatcher.run_forever, kwargs={"interval": 0.2, "stop": stop}, daemon=True)
    thread.start()
    yield dispatcher
    stop.set()
    thread.join(timeout=10)


def sign_in(page, user, *, next_path: str = "/todos/") -> None:
    """Sign `user` in through the sign-in form and wait until it has sent them on to `next_path`."""
    page.goto(f"/accounts/sign-in/?next={next_path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
