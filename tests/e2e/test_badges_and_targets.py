"""Small things axe-core's WCAG 2.1 AA run does not reach: badges, 24 px targets, table headers, a checkbox's place."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from blog import services as blog
from blog.models import utcnow
from tests.e2e.test_reflow import sign_in
from tests.e2e.test_todos_forms import rename_from_a_stale_tab
from todos import services as todos
from updates import demo as updates_demo

pytestmark = pytest.mark.e2e

# Contrast (1.4.3), target size (2.5.8, WCAG 2.2 AA) and empty table headers (a best practice, not 2.1 AA).
RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "target-size", "empty-table-header"]}}


def test_badges_reach_4_5_to_1_targets_are_24_px_and_no_table_header_is_empty(page, make_user):
    staff = make_user(groups=("authors",), name="Sam Staff")
    for priority in (2, 3, 4):
        todos.task_create(owner=staff.sub, title=f"Priority {priority} task", priority=priority)
    draft = blog.post_create(author_sub=staff.sub, author_name=staff.name, title="Scheduled for later")
    blog.post_schedule(post_id=draft.post_id, version=draft.version, publish_at=utcnow() + timedelta(days=1))
    sign_in(page, staff)
    axe = Axe()
    problems = {}
    page.goto("/todos/")
    for priority in (2, 3, 4):
        expect(page.locator(f".badge.prio-{priority}")).to_have_text(f"P{priority}")
    expect(page.get_by_label("Mark all as complete")).to_be_visible()
    results = axe.run(page, options=RULES)
    if results.violations_count:
        problems["/todos/"] = results.generate_report()
    page.goto("/admin/blog/")
    expect(page.get_by_text("Scheduled for later")).to_be_visible()
    results = axe.run(page, options=RULES)
    if results.violations_count:
        problems["/admin/blog/"] = results.generate_report()
    assert problems == {}


def test_the_release_forms_critical_checkbox_sits_before_its_label_on_one_line(page, make_user):
    manager = make_user(groups=("release-managers",), name="Rita Release")
    updates_demo.seed(stdout=StringIO())
    sign_in(page, manager)
    page.goto("/admin/updates/desk-clock/")
    box = page.get_by_label("Critical")
    expect(box).to_be_visible()
    label = page.locator("label", has_text="Critical").first
    expect(label).to_be_visible()
    box_at, label_at = box.bounding_box(), label.bounding_box()
    assert box_at["x"] + box_at["width"] <= label_at["x"] + 1  # the box first, then its label
    assert abs((box_at["y"] + box_at["height"] / 2) - (label_at["y"] + label_at["height"] / 2)) < 8  # one line


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_mark_all_as_complete_sits_below_the_new_task_box_and_covers_no_error(page, user):
    """The toggle-all control has its own row under the new-task box and the error line, overlapping neither."""
    todos.task_create(owner=user.sub, title="Name me")
    sign_in(page, user)
    other = rename_from_a_stale_tab(page)  # its stale rename puts an error line under its new-task box
    error = other.locator(".todo-error")
    expect(error).to_be_visible()
    new_task, toggle_all = other.get_by_label("New task"), other.get_by_label("Mark all as complete")
    expect(new_task).to_be_visible()
    expect(toggle_all).to_be_visible()
    label = other.locator("label[for=toggle-all]")
    expect(label).to_be_visible()
    boxes = {
        "new task": new_task.bounding_box(),
        "error": error.bounding_box(),
        "toggle": toggle_all.bounding_box(),
        "label": label.bounding_box(),
    }
    for control in ("toggle", "label"):
        for other_box in ("new task", "error"):
            assert not _overlap(boxes[control], boxes[other_box]), (control, other_box, boxes)
        assert boxes[control]["y"] >= boxes["error"]["y"] + boxes["error"]["height"] - 1, boxes  # its own row below
    other.close()
