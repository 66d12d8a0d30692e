"""Every page fits a phone (390 px), reflows at 320 px (WCAG 1.4.10), and passes axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings
from playwright.sync_api import expect

from blog import services as blog
from blog.models import utcnow
from tests.e2e.conftest import screenshot
from todos import services as todos
from updates import demo as updates_demo

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# What sticks out, for the failure message only.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' +
    Math.round(e.getBoundingClientRect().right) + 'px')"""


@pytest.fixture
def staff(make_user):
    return make_user(groups=("administrators", "release-managers"), name="Sam Staff")


@pytest.fixture
def site_content(staff):
    updates_demo.seed(stdout=StringIO())  # desk-clock with releases and artifacts (long SHA-256s)
    post = blog.post_create(
        author_sub=staff.sub,
        author_name=staff.name,
        title="A fairly long title about reflowing pages on very narrow screens",
        body_markdown="Text with a `very_long_identifier_that_does_not_break_on_its_own_at_all` in it.\n\n"
        "```\n" + "x" * 200 + "\n```\n",
        tags=["reflow", "phones"],
    )
    post = blog.post_publish(post_id=post.post_id, version=post.version)
    draft = blog.post_create(author_sub=staff.sub, author_name=staff.name, title="Scheduled for later")
    blog.post_schedule(post_id=draft.post_id, version=draft.version, publish_at=utcnow() + timedelta(days=1))
    task = todos.task_create(owner=staff.sub, title="A task with details open", labels=["errands"])
    published = post.published_at
    return {
        "public": [
            "/",
            "/blog/",
            f"/blog/{post.slug}/",
            "/blog/tag/reflow/",
            "/blog/archive/",
            f"/blog/archive/{published.year}/{published.month}/",
            "/updates/",
            "/updates/desk-clock/",
            "/accounts/sign-in/",
            "/accounts/sign-up/",
            "/accounts/password/forgot/",
            "/accounts/password/reset/?email=a%2Bb%40example.com",
            "/accounts/confirm/?email=a%2Bb%40example.com",
            "/blog/search/?q=reflow",
            f"/blog/author/{staff.sub}/",
            "/blog/no-such-post/",  # the site's 404 page
        ],
        "staff": [
            "/todos/",
            f"/todos/?open={task.task_id}",
            "/todos/today/",
            "/todos/labels/errands/",
            "/todos/calendar/",
            "/accounts/profile/",
            "/admin/",
            "/admin/blog/",
            "/admin/blog/new/",
            f"/admin/blog/{draft.post_id}/",
            f"/admin/blog/{draft.post_id}/history/",
            "/admin/blog/readers/",
            "/admin/updates/",
            "/admin/updates/desk-clock/",
            "/admin/updates/desk-clock/1.1.0/",
            "/admin/updates/desk-clock/figures/",
            "/dev/mail/",
        ],
    }


WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def sign_in(page, user) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who")).to_have_text(user.name)


def goto(page, path: str) -> None:
    """Open `path`; the local mailbox is served in DEBUG only, as under `make run`, so it is opened so."""
    with override_settings(DEBUG=True) if path.startswith("/dev/mail/") else contextlib.nullcontext():
        response = page.goto(path)
    assert response.status == (404 if path == "/blog/no-such-post/" else 200), path


def assert_fits(page, path: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    goto(page, path)
    try:
        page.wait_for_function(FITS, timeout=5_000)
    except Exception as error:
        raise AssertionError(f"{path} overflows at {width}px: {page.evaluate(WIDEST)}") from error


@pytest.mark.parametrize("width", [390, 320])
def test_every_page_fits_a_narrow_screen(page, staff, site_content, width):
    for path in site_content["public"]:
        assert_fits(page, path, width)
    sign_in(page, staff)
    for path in site_content["staff"]:
        assert_fits(page, path, width)
        if width == 390:
            screenshot(page, "phone" + re.sub(r"[^a-z0-9]+", "-", path.split("?")[0]).rstrip("-"))


def test_every_page_passes_axe_wcag_21_aa(page, staff, site_content):
    axe = Axe()
    problems = {}

    def check(path: str) -> None:
        goto(page, path)
        page.wait_for_load_state("networkidle")  # htmx fragments (the header's account area) are in
        results = axe.run(page, options=WCAG_21_AA)
        if results.violations_count:
            problems[path] = results.generate_report()

    for path in site_content["public"]:
        check(path)
    sign_in(page, staff)
    for path in site_content["staff"]:
        check(path)
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
