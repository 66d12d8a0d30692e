"""The iCalendar text of a feed, as calendar clients read it (`icalendar`, `recurring-ical-events`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events

from todos.calendar.ics import FeedTask, calendar_text, escape_text, fold, zone_transitions
from todos.recurrence import next_occurrence

STAMP = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def feed_task(task_id: str = "t1", **fields) -> FeedTask:
    values = {
        "task_id": task_id,
        "title": "Pay rent",
        "notes": "",
        "due_date": None,
        "due_datetime": None,
        "due_timezone": None,
        "recurrence": None,
        "priority": 1,
        "updated_at": STAMP,
        "url": f"https://example.org/todos/lists/inbox/#task-{task_id}",
    }
    values.update(fields)
    return FeedTask(**values)


def parsed(*tasks: FeedTask) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(calendar_text(name="Mine", tasks=tasks, domain="example.org"))


def test_text_values_are_escaped_and_long_lines_folded_at_75_octets():
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 60
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    title = "Ünïcode; commas, and a\nnewline " + "x" * 120
    todo = parsed(feed_task(title=title, due_date=date(2026, 3, 1))).walk("VTODO")[0]
    assert str(todo["SUMMARY"]) == title


def test_a_day_task_is_a_vtodo_and_an_all_day_vevent():
    calendar = parsed(feed_task(due_date=date(2026, 3, 1), priority=4, notes="Bank transfer"))
    assert str(calendar["X-WR-CALNAME"]) == "Mine"
    (todo,) = calendar.walk("VTODO")
    (event,) = calendar.walk("VEVENT")
    assert todo["DUE"].dt == date(2026, 3, 1)
    assert (todo["PRIORITY"], str(todo["STATUS"]), str(todo["DESCRIPTION"])) == (1, "NEEDS-ACTION", "Bank transfer")
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2026, 3, 1), date(2026, 3, 2))
    assert str(todo["UID"]) != str(event["UID"])
    assert todo["DTSTAMP"].dt == STAMP
    assert str(event["URL"]) == "https://example.org/todos/lists/inbox/#task-t1"


def test_a_timed_task_keeps_its_zone_through_a_vtimezone():
    due = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    calendar = parsed(feed_task(due_datetime=due.astimezone(UTC), due_timezone="Europe/Paris"))
    (timezone,) = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Paris"
    assert {c.name for c in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    (todo,) = calendar.walk("VTODO")
    raw = calendar.to_ical().decode()
    assert "DUE;TZID=Europe/Paris:20260701T093000" in raw
    assert todo["DUE"].dt.astimezone(UTC) == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    # The VTIMEZONE itself gives the right offsets, as a client without a zone database reads it.
    zone = timezone.to_tz()
    assert datetime(2026, 7, 1, 9, 30, tzinfo=zone).utcoffset() == timedelta(hours=2)
    assert datetime(2026, 1, 15, 9, 30, tzinfo=zone).utcoffset() == timedelta(hours=1)
    assert datetime(2029, 12, 15, 9, 30, tzinfo=zone).utcoffset() == timedelta(hours=1)


def test_zone_transitions_are_found_to_the_second():
    states = zone_transitions("America/New_York", 2026, 2026)
    changes = [(instant, offset) for instant, offset, _dst, _name in states[1:]]
    assert changes == [
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), -4 * 3600),
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), -5 * 3600),
    ]
    assert len(zone_transitions("Asia/Tokyo", 2026, 2031)) == 1  # no DST: one observance


def test_utc_and_unknown_zones_are_written_in_utc():
    moment = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    calendar = parsed(feed_task(due_datetime=moment, due_timezone="UTC"))
    assert not calendar.walk("VTIMEZONE")
    assert calendar.walk("VTODO")[0]["DUE"].dt == moment


def test_tasks_without_a_due_are_left_out():
    assert not parsed(feed_task()).walk("VTODO")


def test_the_same_tasks_give_the_same_bytes():
    tasks = [feed_task("b", due_date=date(2026, 1, 2)), feed_task("a", due_date=date(2026, 1, 1))]
    assert calendar_text(name="x", tasks=tasks, domain="d") == calendar_text(
        name="x", tasks=list(reversed(tasks)), domain="d"
    )


def product_dates(rule: str, start, count: int) -> list:
    """The dues the product gives a recurring task completed `count - 1` times in a row."""
    dates, current = [start], start
    while len(dates) < count:
        following = next_occurrence(rule, current)
        if following is None:
            break
        current, rule = following
        dates.append(current)
    return dates


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=MO,WE",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=DAILY;INTERVAL=3;COUNT=5",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;UNTIL=20260601",
    ],
)
def test_day_recurrences_expand_to_the_dates_the_product_computes(rule):
    start = date(2026, 1, 31) if "BYMONTHDAY" in rule else date(2026, 1, 5)
    expected = product_dates(rule, start, 8)
    calendar = parsed(feed_task(due_date=start, recurrence=rule))
    window = (start, date(2060, 1, 1))
    events = recurring_ical_events.of(calendar, components=["VEVENT"]).between(*window)
    todos = recurring_ical_events.of(calendar, components=["VTODO"]).between(*window)
    assert [e["DTSTART"].dt for e in events][: len(expected)] == expected
    assert [t["DUE"].dt for t in todos][: len(expected)] == expected
    if "COUNT" in rule:
        assert len(events) == len(expected) == 5


def test_timed_recurrences_keep_the_wall_clock_across_daylight_saving():
    zone = ZoneInfo("Europe/Paris")
    start = datetime(2026, 3, 26, 9, 0)
    rule = "FREQ=DAILY"
    expected = [moment.replace(tzinfo=zone) for moment in product_dates(rule, start, 6)]
    task = feed_task(
        due_datetime=start.replace(tzinfo=zone).astimezone(UTC), due_timezone="Europe/Paris", recurrence=rule
    )
    events = recurring_ical_events.of(parsed(task), components=["VEVENT"]).between(
        datetime(2026, 3, 26), datetime(2026, 4, 1)
    )
    got = [event["DTSTART"].dt for event in events]
    assert [moment.astimezone(UTC) for moment in got] == [moment.astimezone(UTC) for moment in expected]
    # 9:00 in Paris is 08:00 UTC before the change of 29 March and 07:00 UTC after it.
    assert [moment.astimezone(UTC).hour for moment in got] == [8, 8, 8, 7, 7, 7]
