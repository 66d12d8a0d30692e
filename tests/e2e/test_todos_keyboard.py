"""The todos page without a mouse: focus stays on the control acted on, actions are announced, the panel traps Esc."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_todos import sign_in, titles

pytestmark = pytest.mark.e2e


def announced(page, text: str) -> None:
    expect(page.locator("#todo-announcer")).to_have_text(text)


def test_a_keyboard_walk_keeps_focus_where_the_user_acted(page, user):
    sign_in(page, user)
    new_task = page.get_by_label("New task")
    expect(new_task).to_be_focused()  # autofocus on the full page load
    for title in ("Alpha", "Beta", "Gamma"):
        page.keyboard.type(title)
        page.keyboard.press("Enter")
        announced(page, f"Task added: {title}")
        expect(new_task).to_be_focused()  # ready for the next entry
    expect(titles(page)).to_have_text(["Alpha", "Beta", "Gamma"])

    # Space on a checkbox completes the task; focus stays on that checkbox.
    page.get_by_label("Complete Beta").focus()
    page.keyboard.press("Space")
    announced(page, "Completed: Beta. Undo is available.")
    expect(page.get_by_label("Complete Beta")).to_be_checked()
    expect(page.get_by_label("Complete Beta")).to_be_focused()

    # Rename with the keyboard: Enter on the Rename button, type, Enter; focus comes back to it.
    page.get_by_role("button", name="Rename Beta").focus()
    page.keyboard.press("Enter")
    edit = page.get_by_label("Edit Beta")
    expect(edit).to_be_focused()
    edit.fill("Beta two")
    page.keyboard.press("Enter")
    announced(page, "Renamed to Beta two")
    expect(page.get_by_role("button", name="Rename Beta two")).to_be_focused()
    # Esc cancels and gives focus back too.
    page.keyboard.press("Enter")
    expect(page.get_by_label("Edit Beta two")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Rename Beta two")).to_be_focused()
    expect(titles(page)).to_have_text(["Alpha", "Beta two", "Gamma"])

    # Moving keeps focus on the move button that was pressed.
    page.get_by_role("button", name="Move Gamma up").focus()
    page.keyboard.press("Enter")
    announced(page, "Moved up: Gamma")
    expect(titles(page)).to_have_text(["Alpha", "Gamma", "Beta two"])
    expect(page.get_by_role("button", name="Move Gamma up")).to_be_focused()
    # At the top, nothing moves, and nothing claims it did.
    page.get_by_role("button", name="Move Alpha up").focus()
    page.keyboard.press("Enter")
    announced(page, "Already first: Alpha")
    expect(titles(page)).to_have_text(["Alpha", "Gamma", "Beta two"])

    # Deleting moves focus to the neighbour, not to the top of the page.
    page.get_by_role("button", name="Delete Alpha").focus()
    page.keyboard.press("Enter")
    announced(page, "Deleted: Alpha. Undo is available.")
    expect(titles(page)).to_have_text(["Gamma", "Beta two"])
    expect(page.get_by_label("Complete Gamma")).to_be_focused()

    # The details panel: focus moves into it; Esc closes it and returns focus to its toggle.
    page.get_by_role("link", name="Details of Gamma").focus()
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name="Details of “Gamma”", level=2)
    expect(heading).to_be_focused()
    # Its h2 sits under the page's one h1 (axe's heading rules, best practices outside WCAG 2.1 AA's tags).
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    heading_rules = {"runOnly": {"type": "rule", "values": ["heading-order", "page-has-heading-one"]}}
    outline = Axe().run(page, options=heading_rules)
    assert outline.violations_count == 0, outline.generate_report()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Notes (Markdown)")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("section.details")).to_have_count(0)
    announced(page, "Details closed")
    expect(page.get_by_role("link", name="Details of Gamma")).to_be_focused()

    # Mark all as complete sits in its own row under the new-task box, labelled and reachable.
    toggle_all = page.get_by_label("Mark all as complete")
    expect(toggle_all).to_be_visible()
    toggle_all.focus()
    page.keyboard.press("Space")
    announced(page, "All tasks completed")
    expect(page.locator(".todo-count")).to_have_text("0 items left")
    expect(page.get_by_label("Mark all as complete")).to_be_focused()


def test_a_new_list_becomes_the_page_and_takes_the_next_task(page, user):
    sign_in(page, user)
    page.get_by_label("New list name").fill("Errands")
    page.get_by_role("button", name="Add list").click()
    expect(page.locator("#todo-title")).to_have_text("Errands")
    expect(page).to_have_url(re.compile(r"/todos/lists/[^/]+/$"))
    expect(page.get_by_label("New task")).to_be_focused()

    page.keyboard.type("Buy stamps")
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["Buy stamps"])
    page.reload()  # the address names the list, so the task is found there after a reload
    expect(page.locator("#todo-title")).to_have_text("Errands")
    expect(titles(page)).to_have_text(["Buy stamps"])

    page.get_by_role("link", name="Inbox").click()
    expect(page.locator("#todo-title")).to_have_text("Inbox")
    expect(titles(page)).to_have_count(0)
