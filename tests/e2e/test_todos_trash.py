"""Undo and the Trash in Debian's chromium: the toast after a delete or a completion, restore from the Trash page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_todos import add, sign_in, titles

pytestmark = pytest.mark.e2e


def announced(page, text: str) -> None:
    expect(page.locator("#todo-announcer")).to_have_text(text)


def test_undo_a_delete_and_a_completion_then_restore_from_the_trash(page, user):
    sign_in(page, user)
    for title in ("Alpha", "Beta"):
        add(page, title)
    expect(titles(page)).to_have_text(["Alpha", "Beta"])

    # Delete: the toast offers Undo, the live region says so; Undo is reached and pressed with the keyboard.
    page.get_by_role("button", name="Delete Beta").click()
    expect(titles(page)).to_have_text(["Alpha"])
    toast = page.locator("#undo-toast")
    expect(toast).to_contain_text("Deleted: Beta")
    announced(page, "Deleted: Beta. Undo is available.")
    expect(page.get_by_label("Complete Alpha")).to_be_focused()
    undo = page.get_by_role("button", name="Undo")
    undo.focus()
    page.keyboard.press("Enter")
    expect(titles(page)).to_have_text(["Alpha", "Beta"])
    announced(page, "Restored: Beta")
    expect(page.get_by_label("Complete Beta")).to_be_focused()
    expect(toast).to_have_count(0)

    # Complete: Undo reopens it.
    page.get_by_label("Complete Alpha").check()
    expect(page.locator(".todo-count")).to_have_text("1 item left")
    expect(toast).to_contain_text("Completed: Alpha")
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".todo-count")).to_have_text("2 items left")
    announced(page, "Reopened: Alpha")
    expect(page.get_by_label("Complete Alpha")).not_to_be_checked()

    # The toast leaves on its own after 10 seconds.
    page.get_by_role("button", name="Delete Alpha").click()
    expect(titles(page)).to_have_text(["Beta"])
    expect(toast).to_be_visible()
    page.mouse.move(0, 0)
    expect(toast).to_have_count(0, timeout=15_000)

    # The Trash page lists it; Restore brings it back into its list.
    page.get_by_role("link", name="Trash").click()
    expect(page.locator("h1")).to_have_text("Trash")
    expect(page.locator(".trash-title")).to_have_text(["Alpha"])
    page.get_by_role("button", name="Restore Alpha").click()
    expect(page.locator("#trash-status")).to_have_text("Restored: Alpha")
    expect(page.locator("#trash-empty")).to_have_text("The Trash is empty.")
    expect(page).to_have_url(re.compile(r"/todos/trash/$"))  # redirected: a reload restores nothing twice
    page.get_by_role("link", name="Back to my tasks").click()
    expect(titles(page)).to_have_text(["Alpha", "Beta"])

    # Delete for good asks first; cancelling keeps the entry, confirming removes it.
    page.get_by_role("button", name="Delete Beta").click()
    expect(titles(page)).to_have_text(["Alpha"])
    page.get_by_role("link", name="Trash").click()
    expect(page.locator(".trash-title")).to_have_text(["Beta"])
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete Beta for good").click()
    expect(page.locator(".trash-title")).to_have_text(["Beta"])
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Delete Beta for good").click()
    expect(page.locator("#trash-status")).to_have_text("Deleted for good: Beta")
    expect(page.locator("#trash-empty")).to_have_text("The Trash is empty.")
    assert questions == ["Delete “Beta” for good? This cannot be undone."] * 2
