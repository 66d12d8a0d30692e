"""A shared list in Debian's chromium, two people in two browser contexts: Alice shares, Bob accepts from
the banner and adds a task, Alice completes it, Bob sees it completed.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, watched_page
from tests.e2e.test_todos import add, titles

pytestmark = pytest.mark.e2e


@pytest.fixture
def second_page(browser, site_url):
    """Another person's browser: a context of its own, under the same CSP watch as `page`."""
    with watched_page(browser, site_url) as page:
        yield page


def test_a_list_shared_by_email_is_accepted_edited_and_completed_across_two_browsers(page, second_page, make_user):
    alice, bob = make_user(name="Alice"), make_user(name="Bob")

    # Alice makes a list and shares it with Bob's address, as an editor.
    sign_in(page, alice)
    page.get_by_label("New list name").fill("Groceries")
    page.get_by_role("button", name="Add list").click()
    expect(page.locator("#todo-title")).to_have_text("Groceries")
    page.get_by_role("link", name="Share").click()
    expect(page.locator("#sharing-panel")).to_be_visible()
    page.get_by_label("Email address").fill(bob.email)
    page.get_by_label("They").select_option("editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#todo-notice")).to_have_text(f"Invitation sent to {bob.email}")
    expect(page.locator("#pending-list")).to_contain_text(bob.email)

    # Bob, in his own browser, finds the invitation in the banner and accepts it.
    sign_in(second_page, bob)
    banner = second_page.locator("#invite-banner")
    expect(banner).to_contain_text("Alice shared “Groceries” with you")
    second_page.get_by_role("button", name="Accept “Groceries” from Alice").click()
    expect(second_page.locator("#todo-title")).to_have_text("Groceries")
    expect(second_page.locator("#shared-by")).to_contain_text("Shared by Alice · you can edit")
    expect(banner).to_have_count(0)
    shared = second_page.locator(".sidebar-shared")
    expect(shared).to_contain_text("Groceries")
    expect(shared.get_by_role("link", name="Groceries")).to_have_attribute("aria-current", "page")
    add(second_page, "Milk")
    expect(titles(second_page)).to_have_text(["Milk"])

    # Alice sees Bob's task (and who added it) and completes it.
    page.reload()
    expect(titles(page)).to_have_text(["Milk"])
    expect(page.locator("#activity")).to_contain_text("Bob added “Milk”")
    page.get_by_label("Complete Milk").check()
    expect(page.locator(".todo-count")).to_have_text("0 items left")

    # Bob sees it completed.
    second_page.reload()
    expect(second_page.get_by_label("Complete Milk")).to_be_checked()
    expect(second_page.locator("#activity")).to_contain_text("Alice completed “Milk”")
