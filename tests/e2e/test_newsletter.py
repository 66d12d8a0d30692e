"""A reader subscribes (double opt-in) in the browser; the newsletter's one-click unsubscribe needs no session."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import expect

from blog.newsletter.events import EVENT_SOURCES
from blog.newsletter.services import newsletter_send_start
from mysite.dispatcher import Dispatcher
from tests.blog.test_newsletter import confirm_link, drain
from tests.conftest import unique_email

pytestmark = pytest.mark.e2e


def newsletter_to(address: str, title: str) -> email.message.EmailMessage:
    for path in Path(settings.LOCAL_MAILBOX_DIR).glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]) and str(message["Subject"]) == title:
            return message
    raise AssertionError(f"no newsletter to {address}")


def test_a_reader_subscribes_and_the_one_click_post_unsubscribes_without_a_session(browser, page, make_post, author):
    address = unique_email("reader")
    page.goto("/blog/")
    page.get_by_role("link", name="Newsletter").click()
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    page.goto(confirm_link(address))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")

    post = make_post(title="Our first letter", body_markdown="Hello, **readers**.")
    newsletter_send_start(post_id=post.post_id, requested_by=author.sub)
    drain(Dispatcher(sources=EVENT_SOURCES))
    message = newsletter_to(address, post.title)
    unsubscribe_path = urlsplit("".join(str(message["List-Unsubscribe"]).split()).strip("<>")).path

    # What a mailbox provider does (RFC 8058): a POST with the one-click body, no cookies, no CSRF token.
    mailbox_provider = browser.new_context(base_url=page.url.split("/newsletter")[0])
    try:
        answer = mailbox_provider.request.post(
            unsubscribe_path,
            data="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        expect(answer).to_be_ok()
    finally:
        mailbox_provider.close()

    page.goto(unsubscribe_path)
    expect(page.locator(".newsletter")).to_contain_text("(already unsubscribed)")
