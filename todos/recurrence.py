"""Recurring tasks: RFC 5545 RRULEs (python-dateutil) and the next occurrence after a completion."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from dateutil.rrule import rrulestr

from todos.errors import InvalidTask

_COUNT = re.compile(r"(?<![A-Z])COUNT=(\d+)")
MAX_RULE = 500


def _rule(rule: str, start: datetime):
    """The parsed rule and the start it runs from."""
    try:
        return rrulestr(f"RRULE:{rule}", dtstart=start), start
    except ValueError:
        # An UNTIL given in UTC needs an aware start; the wall-clock arithmetic stays the same.
        aware = start.replace(tzinfo=UTC)
        return rrulestr(f"RRULE:{rule}", dtstart=aware), aware


def recurrence_clean(rule: str | None) -> str | None:
    """A normalised RRULE (without the `RRULE:` prefix), or InvalidTask naming the field."""
    if rule is None or not rule.strip():
        return None
    rule = rule.strip().upper().removeprefix("RRULE:")
    if len(rule) > MAX_RULE or "DTSTART" in rule or "\n" in rule:
        raise InvalidTask("Give a single RRULE such as FREQ=WEEKLY;BYDAY=MO.", field="recurrence")
    try:
        _rule(rule, datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, AttributeError):
        # The parser's own words ("invalid weekday 'XX'") are not for people; one plain message is.
        raise InvalidTask(
            "This repeat rule is not valid; use an RRULE such as FREQ=WEEKLY;BYDAY=MO.", field="recurrence"
        ) from None
    if "FREQ=" not in rule:
        raise InvalidTask("An RRULE needs a FREQ (DAILY, WEEKLY, MONTHLY, YEARLY...).", field="recurrence")
    return rule


def next_occurrence(rule: str, current: date | datetime) -> tuple[date | datetime, str] | None:
    """The occurrence after `current` (a date, or a local wall-clock datetime) and the rule from then on.

    None when the series is over (its COUNT or UNTIL is used up).
    """
    count = _COUNT.search(rule)
    if count and int(count.group(1)) <= 1:
        return None
    is_date = not isinstance(current, datetime)
    start = datetime(current.year, current.month, current.day) if is_date else current.replace(tzinfo=None)
    parsed, start = _rule(rule, start)
    following = parsed.after(start)
    if following is None:
        return None
    following = following.replace(tzinfo=None)
    if count:
        rule = _COUNT.sub(f"COUNT={int(count.group(1)) - 1}", rule)
    return (following.date() if is_date else following), rule
