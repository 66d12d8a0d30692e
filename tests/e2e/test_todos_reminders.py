"""A reminder in chromium: added in the details panel, sent by the minute handler on time, read in the mailbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test.utils import override_settings
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_todos import add
from todos.events import reminders_due_handler
from todos.services.reminders import reminders_of

pytestmark = pytest.mark.e2e


def test_a_reminder_added_in_the_panel_arrives_in_the_mailbox(page, user):
    sign_in(page, user, next_path="/todos/")
    add(page, "Water the plants")
    page.get_by_role("link", name="Details of Water the plants").click()
    page.wait_for_load_state("networkidle")
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    page.get_by_label("Remind at (UTC)").fill(at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Add reminder").click()
    reminder_row = page.locator(".reminder-list li.reminder")
    expect(reminder_row).to_have_count(1)
    expect(reminder_row).to_contain_text(at.strftime("%H:%M"))
    expect(reminder_row).to_contain_text("not sent yet")

    task_id = re.search(r"open=([0-9a-f]+)", page.url).group(1)
    [reminder] = reminders_of(owner=user.sub, task_id=task_id)
    assert reminders_due_handler({}, None, now=at - timedelta(minutes=1)) == {"reminders_sent": 0}
    assert reminders_due_handler({}, None, now=reminder.fire_at + timedelta(seconds=10))["reminders_sent"] == 1

    details_url = page.url
    with override_settings(DEBUG=True):  # the dev mailbox is served in DEBUG only, as under `make run`
        page.goto(f"/dev/mail/?to={user.email}")
        expect(page.locator(".subject")).to_have_text(["Reminder: Water the plants"])
        expect(page.locator(".mail-body").first).to_contain_text(f"/todos/?open={task_id}")
        expect(page.locator(".mail-body").first).to_contain_text("/todos/reminders/snooze/")
    page.goto(details_url)
    expect(page.locator(".reminder-list li.reminder")).to_contain_text("sent)")

    # Remove it from the panel, with the keyboard.
    page.get_by_role("button", name=re.compile(r"^Remove the reminder")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".reminder-list li.reminder")).to_have_count(0)
