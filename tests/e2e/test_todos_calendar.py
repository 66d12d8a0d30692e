"""The calendar feed settings in chromium: make a link, subscribe to it (icalendar), regenerate, revoke."""

from __future__ import annotations

import re

import icalendar
import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.test_todos import add, sign_in

pytestmark = pytest.mark.e2e


def test_a_calendar_link_made_in_settings_opens_a_feed_calendar_apps_parse(page, user, site_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, user)
    add(page, "Pay rent tomorrow")
    page.get_by_role("link", name="Calendar feeds").click()
    row = page.locator("#feed-user")
    expect(row.locator(".feed-state")).to_have_text("No link")

    row.get_by_role("button", name="Create link").click()
    link = page.locator("#feed-user input.feed-url")
    expect(link).to_have_value(re.compile(r"^http://.+/api/todos/calendar/[A-Za-z0-9_-]{43}\.ics$"))
    first_url = link.input_value()
    answer = requests.get(first_url, timeout=10)
    assert answer.status_code == 200
    calendar = icalendar.Calendar.from_ical(answer.content)
    assert [str(todo["SUMMARY"]) for todo in calendar.walk("VTODO")] == ["Pay rent"]

    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()

    page.locator("#feed-user").get_by_role("button", name="Regenerate link").click()
    expect(link).not_to_have_value(first_url)
    expect(link).to_have_value(re.compile(r"\.ics$"))
    assert requests.get(first_url, timeout=10).status_code == 404
    second_url = link.input_value()

    page.locator("#feed-user").get_by_role("button", name="Revoke link").click()
    expect(page.locator("#feed-user .feed-state")).to_have_text("No link")
    assert requests.get(second_url, timeout=10).status_code == 404
