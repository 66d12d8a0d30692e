"""RFC 5545 text for a calendar feed, written by hand (the `icalendar` package would not fit the Lambda budget).

Due tasks become VTODOs; tasks due on a day also become all-day VEVENTs and tasks due at a time
zero-length VEVENTs, for calendars that ignore VTODO. RRULEs are carried over unchanged: the
product expands them in the due date's own wall-clock time (todos.recurrence), which is what a
TZID-anchored DTSTART means in RFC 5545. Each time zone in use is written out as a VTIMEZONE
listing its UTC-offset transitions over the years the feed can reach. Everything here is pure
(the transition table is memoised per process and immutable), so it is right with any number of
threads and processes. tests/todos/test_calendar.py parses the output with `icalendar` and expands
it with `recurring-ical-events`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from todos.recurrence import HORIZON_YEARS

PRODID = "-//MyTodoList//Calendar feed//EN"
_UTC_NAMES = {"UTC", "Etc/UTC", "Z", "GMT", "Etc/GMT"}


@dataclass(frozen=True)
class FeedTask:
    """What a feed shows of a task; built by todos.calendar.feeds from the stored task."""

    task_id: str
    title: str
    notes: str
    due_date: date | None
    due_datetime: datetime | None  # aware, UTC
    due_timezone: str | None
    recurrence: str | None
    priority: int
    updated_at: datetime
    url: str


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 3.3.11 writes it: backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with one space
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _zone(name: str | None) -> ZoneInfo | None:
    """The task's zone, or None for UTC (written with a Z) and for names this runtime does not know."""
    if not name or name in _UTC_NAMES:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _observance(zone: ZoneInfo, moment: datetime) -> tuple[int, int, str]:
    """(UTC offset in seconds, DST offset in seconds, abbreviation) of `zone` at UTC instant `moment`."""
    local = moment.astimezone(zone)
    return int(local.utcoffset().total_seconds()), int(local.dst().total_seconds()), local.tzname() or ""


@functools.lru_cache(maxsize=256)
def zone_transitions(name: str, first_year: int, last_year: int) -> tuple[tuple[datetime, int, int, str], ...]:
    """The zone's state at the start of `first_year` and at each change up to the end of `last_year`.

    Each entry is (UTC instant, offset, dst, abbreviation). zoneinfo does not expose its table, so
    days are stepped through and each change is narrowed to the second by bisection.
    """
    zone = ZoneInfo(name)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    states = [(moment, *_observance(zone, moment))]
    while moment < end:
        following = moment + timedelta(days=1)
        if _observance(zone, following) != _observance(zone, moment):
            low, high = 0, 86400  # seconds after `moment`: unchanged at `low`, changed at `high`
            while high - low > 1:
                middle = (low + high) // 2
                if _observance(zone, moment + timedelta(seconds=middle)) == _observance(zone, moment):
                    low = middle
                else:
                    high = middle
            changed = moment + timedelta(seconds=high)
            states.append((changed, *_observance(zone, changed)))
        moment = following
    return tuple(states)


def vtimezone(name: str, first_year: int, last_year: int) -> list[str]:
    """A VTIMEZONE for `name`: one STANDARD/DAYLIGHT observance per state from `first_year` to `last_year`."""
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    previous_offset = None
    for instant, offset, dst, abbreviation in zone_transitions(name, first_year, last_year):
        before = offset if previous_offset is None else previous_offset
        # DTSTART of an observance is the local time of its onset, reckoned in the offset before it.
        onset = (instant + timedelta(seconds=before)).replace(tzinfo=None)
        kind = "DAYLIGHT" if dst else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{onset.strftime('%Y%m%dT%H%M%S')}",
            f"TZOFFSETFROM:{_offset(before)}",
            f"TZOFFSETTO:{_offset(offset)}",
        ]
        if abbreviation:
            lines.append(f"TZNAME:{escape_text(abbreviation)}")
        lines.append(f"END:{kind}")
        previous_offset = offset
    lines.append("END:VTIMEZONE")
    return lines


def _due_property(name: str, task: FeedTask) -> str:
    if task.due_datetime is None:
        return f"{name};VALUE=DATE:{task.due_date.strftime('%Y%m%d')}"
    zone = _zone(task.due_timezone)
    if zone is None:
        return f"{name}:{_utc_stamp(task.due_datetime)}"
    local = task.due_datetime.astimezone(zone).replace(tzinfo=None)
    return f"{name};TZID={task.due_timezone}:{local.strftime('%Y%m%dT%H%M%S')}"


def _ical_priority(priority: int) -> int:
    """The product's 4 (most urgent) to 1 (none) as RFC 5545's 1 (highest) to 9, 0 for none."""
    return {4: 1, 3: 5, 2: 9}.get(int(priority), 0)


def _common(task: FeedTask, *, uid: str) -> list[str]:
    lines = [
        f"UID:{uid}",
        f"DTSTAMP:{_utc_stamp(task.updated_at)}",
        f"LAST-MODIFIED:{_utc_stamp(task.updated_at)}",
        f"SUMMARY:{escape_text(task.title)}",
    ]
    if task.notes:
        lines.append(f"DESCRIPTION:{escape_text(task.notes)}")
    lines.append(f"URL:{task.url}")
    if task.recurrence:
        lines.append(f"RRULE:{task.recurrence}")
    return lines


def task_components(task: FeedTask, *, domain: str) -> list[str]:
    """The VTODO of a due task and its VEVENT (all-day for a due day, at the time for a due time)."""
    todo = ["BEGIN:VTODO", *_common(task, uid=f"todo-{task.task_id}@{domain}")]
    todo += [_due_property("DUE", task), "STATUS:NEEDS-ACTION", f"PRIORITY:{_ical_priority(task.priority)}"]
    todo.append("END:VTODO")
    event = ["BEGIN:VEVENT", *_common(task, uid=f"event-{task.task_id}@{domain}"), _due_property("DTSTART", task)]
    if task.due_datetime is None:
        event.append(f"DTEND;VALUE=DATE:{(task.due_date + timedelta(days=1)).strftime('%Y%m%d')}")
        event.append("TRANSP:TRANSPARENT")
    event.append("END:VEVENT")
    return todo + event


def calendar_text(*, name: str, tasks: Iterable[FeedTask], domain: str) -> str:
    """The whole VCALENDAR, CRLF-terminated lines, folded; the same tasks always give the same bytes."""
    tasks = sorted((t for t in tasks if t.due_date or t.due_datetime), key=lambda t: t.task_id)
    zones: dict[str, list[int]] = {}
    for task in tasks:
        if task.due_datetime is not None and _zone(task.due_timezone) is not None:
            zones.setdefault(task.due_timezone, []).append(task.due_datetime.year)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for zone_name in sorted(zones):
        years = zones[zone_name]
        # Recurrences stop HORIZON_YEARS after their start at the latest (todos.recurrence).
        lines += vtimezone(zone_name, min(years) - 1, max(years) + HORIZON_YEARS)
    for task in tasks:
        lines += task_components(task, domain=domain)
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
