"""Todos forms in chromium: two tabs saving one task's details, failed uploads, the live quick-add parse."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_todos import sign_in
from todos import services
from todos.models import Task

pytestmark = pytest.mark.e2e


def open_details(page, task) -> None:
    page.goto(f"/todos/lists/inbox/?open={task.task_id}")
    expect(page.get_by_label("Notes (Markdown)")).to_be_visible()


def test_a_stale_tab_saving_details_loses_neither_tabs_notes(page, user):
    task = services.task_create(owner=user.sub, title="Shared between tabs")
    sign_in(page, user)
    other = page.context.new_page()
    open_details(page, task)
    open_details(other, task)

    page.get_by_label("Notes (Markdown)").fill("Notes saved in the first tab")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".notes-rendered")).to_have_text("Notes saved in the first tab")

    other.get_by_label("Notes (Markdown)").fill("Notes typed in the second tab")
    other.get_by_role("button", name="Save details").click()
    expect(other.get_by_role("alert")).to_contain_text("saved elsewhere")
    # Both are on the screen: the saved notes in the form, the typed ones beside them.
    expect(other.get_by_label("Notes (Markdown)")).to_have_value("Notes saved in the first tab")
    expect(other.locator(f"#stale-typed-notes-{task.task_id}")).to_have_text("Notes typed in the second tab")
    expect(other.locator(f"#stale-saved-notes-{task.task_id}")).to_have_text("Notes saved in the first tab")
    assert Task.get(user.sub, task.task_id).notes == "Notes saved in the first tab"

    # Choosing the typed version saves it, now knowingly.
    other.get_by_role("button", name="Save what I typed instead").click()
    expect(other.locator(".notes-rendered")).to_have_text("Notes typed in the second tab")
    expect(other.locator(".stale-details")).to_have_count(0)
    other.close()
