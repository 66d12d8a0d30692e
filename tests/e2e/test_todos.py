"""The todos page in Debian's chromium: the TodoMVC behaviours, extras, and an attachment round trip."""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from todos import services

pytestmark = pytest.mark.e2e


def titles(page):
    """The task titles in page order, for `expect(...).to_have_text([...])` (which waits)."""
    return page.locator("ul.todo-list > li.todo > .view label.title")


def add(page, title: str) -> None:
    count = page.locator("ul.todo-list > li.todo").count()
    page.get_by_label("New task").fill(title)
    page.get_by_label("New task").press("Enter")
    if title.strip():
        expect(page.locator("ul.todo-list > li.todo")).to_have_count(count + 1)


def test_todomvc_behaviours(page, user):
    sign_in(page, user, next_path="/todos/")
    # Nothing to show: no list, no footer.
    expect(page.locator(".footer")).to_have_count(0)

    add(page, "  Buy milk  ")
    add(page, "Walk the dog")
    add(page, "Write report")
    expect(page.get_by_label("New task")).to_have_value("")
    add(page, "   ")  # blank entries are rejected
    page.get_by_label("New task").fill("")
    expect(titles(page)).to_have_text(["Buy milk", "Walk the dog", "Write report"])
    expect(page.locator(".todo-count")).to_have_text("3 items left")
    expect(page.get_by_role("button", name="Clear completed")).to_have_count(0)

    # Complete one: counter goes singular/plural correctly, Clear completed appears.
    page.get_by_label("Complete Walk the dog").check()
    expect(page.locator(".todo-count")).to_have_text("2 items left")
    expect(page.locator("li.todo.completed label.title")).to_have_text("Walk the dog")
    expect(page.get_by_role("button", name="Clear completed")).to_be_visible()

    # Double-click edits; Enter saves (trimmed).
    page.get_by_text("Buy milk", exact=True).dblclick()
    page.get_by_label("Edit Buy milk").fill("  Buy oat milk ")
    page.get_by_label("Edit Buy milk").press("Enter")
    expect(page.locator("ul.todo-list > li.todo > .view label.title").first).to_have_text("Buy oat milk")
    # Esc cancels.
    page.get_by_text("Write report", exact=True).dblclick()
    page.get_by_label("Edit Write report").fill("Something else")
    page.get_by_label("Edit Write report").press("Escape")
    expect(page.get_by_text("Write report", exact=True)).to_be_visible()
    # Blur saves.
    page.get_by_text("Write report", exact=True).dblclick()
    page.get_by_label("Edit Write report").fill("Write the report")
    page.get_by_label("New task").click()
    expect(page.get_by_text("Write the report", exact=True)).to_be_visible()

    # Filters, surviving a reload.
    page.get_by_role("link", name="Active").click()
    expect(page.locator("ul.todo-list > li.todo")).to_have_count(2)
    page.reload()
    expect(page.locator("ul.todo-list > li.todo")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"filter=active"))
    page.get_by_role("link", name="Completed").click()
    expect(titles(page)).to_have_text(["Walk the dog"])
    page.get_by_role("link", name="All").click()
    expect(page.locator("ul.todo-list > li.todo")).to_have_count(3)

    # Keyboard reordering with the move buttons.
    page.get_by_role("button", name="Move Write the report up").click()
    expect(page.locator("ul.todo-list > li.todo > .view label.title").nth(1)).to_have_text("Write the report")
    page.reload()
    expect(titles(page)).to_have_text(["Buy oat milk", "Write the report", "Walk the dog"])

    # Toggle all completes everything, then reopens everything.
    page.get_by_label("Mark all as complete").check()
    expect(page.locator(".todo-count")).to_have_text("0 items left")
    page.get_by_label("Mark all as complete").uncheck()
    expect(page.locator(".todo-count")).to_have_text("3 items left")

    # Emptying a title deletes the task.
    page.get_by_text("Buy oat milk", exact=True).dblclick()
    page.get_by_label("Edit Buy oat milk").fill("   ")
    page.get_by_label("Edit Buy oat milk").press("Enter")
    expect(page.locator("ul.todo-list > li.todo")).to_have_count(2)
    expect(page.locator(".todo-count")).to_have_text("2 items left")

    # Clear completed removes the completed ones and hides itself.
    page.get_by_label("Complete Walk the dog").check()
    expect(page.locator(".todo-count")).to_have_text("1 item left")
    page.get_by_role("button", name="Clear completed").click()
    expect(page.locator("ul.todo-list > li.todo")).to_have_count(1)
    expect(page.get_by_role("button", name="Clear completed")).to_have_count(0)
    expect(titles(page)).to_have_text(["Write the report"])


def test_details_subtasks_lists_and_attachment_round_trip(page, user, tmp_path):
    sign_in(page, user, next_path="/todos/")
    add(page, "Plan trip")
    page.get_by_role("link", name="Details of Plan trip").click()
    page.wait_for_load_state("networkidle")  # the panel's request and any swap after it are done
    page.get_by_label("Notes (Markdown)").fill("Book **flights**")
    page.get_by_label("Due date").fill("2020-01-02")
    page.get_by_label("Priority").select_option("4")
    page.get_by_label("Labels (comma-separated)").fill("travel, family")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".notes-rendered strong")).to_have_text("flights")
    item = page.locator("li.todo", has_text="Plan trip")
    expect(item).to_have_class(re.compile(r"\boverdue\b"))
    expect(item.locator(".badge")).to_have_text("P4")
    expect(page.locator(".sidebar-labels")).to_contain_text("@travel")

    page.get_by_label("Add a subtask").fill("Pack bags")
    page.get_by_label("Add a subtask").press("Enter")
    expect(page.locator(".subtasks li")).to_have_text(re.compile("Pack bags"))

    details_url = page.url  # the open panel is in the address (hx-push-url)

    # The Today view lists the overdue task.
    page.get_by_role("link", name=re.compile(r"^Today")).click()
    expect(page.locator("ul.todo-list > li.todo").first).to_contain_text("Plan trip")

    # Upload with the progress bar, then download through a presigned URL.
    page.goto(details_url)
    expect(page.get_by_label("Attach a file (up to 25 MB)")).to_be_visible()
    png = tmp_path / "map.png"
    png.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf"
            "c0f01f0005000201a3bb7b6d0000000049454e44ae426082"
        )
    )
    page.get_by_label("Attach a file (up to 25 MB)").set_input_files(str(png))
    link = page.get_by_role("link", name="map.png")
    expect(link).to_be_visible()
    expect(page.locator("img.thumb")).to_have_attribute("alt", "map.png")
    href = link.get_attribute("href")
    response = page.request.get(href, max_redirects=0)
    assert response.status == 302
    with urllib.request.urlopen(response.headers["location"]) as download:
        assert download.read() == png.read_bytes()

    # A new list in the sidebar; move the task there.
    page.get_by_label("New list name").fill("Holidays")
    page.get_by_role("button", name="Add list").click()
    expect(page.locator("#todo-title")).to_have_text("Holidays")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "todos-phone")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("link", name="Inbox").click()
    expect(page.locator("#todo-title")).to_have_text("Inbox")
    screenshot(page, "todos-main")


def test_back_and_forward_show_each_list_as_it_is_now_under_the_policy(page, user):
    """Back and Forward load the page again (no htmx snapshot: it held inline styles the CSP refuses,
    and what the list held when it was left)."""
    sign_in(page, user)
    add(page, "In the Inbox")
    page.get_by_label("New list name").fill("Errands")
    page.get_by_role("button", name="Add list").click()
    expect(page.locator("h1")).to_have_text("Errands")
    add(page, "Buy stamps")
    page.get_by_role("link", name="Inbox").click()
    expect(titles(page)).to_have_text(["In the Inbox"])
    page.go_back()
    expect(page.locator("h1")).to_have_text("Errands")
    expect(titles(page)).to_have_text(["Buy stamps"])
    page.get_by_label("Complete Buy stamps").check()
    expect(page.get_by_label("Complete Buy stamps")).to_be_checked()
    page.go_forward()
    expect(titles(page)).to_have_text(["In the Inbox"])
    page.go_back()
    expect(page.get_by_label("Complete Buy stamps")).to_be_checked()  # as it is now, not as it was left


def test_on_a_phone_the_list_and_its_new_task_box_are_on_the_first_screen(page, user):
    for name in ("Work", "Home", "Errands", "Groceries", "Travel", "Reading"):
        services.list_create(owner=user.sub, name=name)
    for label in ("bills", "calls", "waiting", "someday", "errand"):
        services.task_create(owner=user.sub, title=f"Labelled {label}", labels=[label])
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, user, next_path="/todos/")
    expect(page.get_by_role("link", name="Reading")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")  # the box has the focus, which scrolled it into view: from the top
    expect(page.get_by_label("New task")).to_be_in_viewport(ratio=1)
    expect(page.locator("#todo-title")).to_be_in_viewport(ratio=1)
    screenshot(page, "todos-phone")
