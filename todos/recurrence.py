"""Recurring tasks: RFC 5545 RRULEs (python-dateutil) and the next occurrence after a completion."""

from __future__ import annotations

import datetime as datetime_module
import re
import types
from collections.abc import Iterator
from datetime import UTC, date, datetime

from dateutil import rrule as rrule_module
from dateutil.rrule import rrule, rrulestr

from todos.errors import InvalidTask, TaskRuleBroken

_COUNT = re.compile(r"(?<![A-Z])COUNT=(\d+)")
# Repeats more often than daily: a sub-daily FREQ, or hours, minutes or seconds of the day (RFC 5545 has
# none of those on an all-day date either).
_SUB_DAILY = re.compile(r"(?<![A-Z])(FREQ=(HOURLY|MINUTELY|SECONDLY)\b|BY(HOUR|MINUTE|SECOND)=)")
MAX_RULE = 500
# A rule must have an occurrence within this many years after its start; evaluation never looks further.
HORIZON_YEARS = 5


def _bounded_occurrences(parsed: rrule, *, last_year: int) -> Iterator[datetime]:
    """The rule's occurrences in order, up to the end of `last_year` and never further.

    dateutil walks period by period up to `datetime.MAXYEAR` when no day ever matches
    (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 spins for seconds), and UNTIL does not stop it,
    since UNTIL is compared with matches only. This runs dateutil's own `rrule._iter` with a
    `datetime` module whose MAXYEAR is `last_year`, built per call: nothing shared is changed,
    so it is safe with any number of threads and processes.
    """
    horizon = types.ModuleType("datetime")
    horizon.__dict__.update(datetime_module.__dict__)
    horizon.MAXYEAR = last_year
    iterate = types.FunctionType(rrule._iter.__code__, {**vars(rrule_module), "datetime": horizon}, "_iter")
    return iterate(parsed)


def _first_after(parsed: rrule, start: datetime, *, inclusive: bool) -> datetime | None:
    """The first occurrence after `start` (or at it) within `HORIZON_YEARS` years, else None."""
    for occurrence in _bounded_occurrences(parsed, last_year=start.year + HORIZON_YEARS):
        if occurrence > start or (inclusive and occurrence == start):
            return occurrence
    return None


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
    if _SUB_DAILY.search(rule):
        message = "A task repeats daily at the most often: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY."
        raise TaskRuleBroken(message, field="recurrence")
    return rule


def recurrence_check_reachable(rule: str, due: date | datetime) -> None:
    """TaskRuleBroken (422) unless `rule` repeats within `HORIZON_YEARS` years after `due` (COUNT=1 may not)."""
    count = _COUNT.search(rule)
    if count and int(count.group(1)) <= 1:
        return
    is_date = not isinstance(due, datetime)
    start = datetime(due.year, due.month, due.day) if is_date else due.replace(tzinfo=None)
    parsed, start = _rule(rule, start)
    if _first_after(parsed, start, inclusive=False) is None:
        raise TaskRuleBroken(
            f"This repeat rule has no date in the {HORIZON_YEARS} years after the due date; "
            "check its INTERVAL, BYMONTH, BYMONTHDAY and UNTIL.",
            field="recurrence",
        )


def next_occurrence(rule: str, current: date | datetime) -> tuple[date | datetime, str] | None:
    """The occurrence after `current` (a date, or a local wall-clock datetime) and the rule from then on.

    None when the series is over (its COUNT or UNTIL is used up) or has no date within `HORIZON_YEARS`.
    """
    count = _COUNT.search(rule)
    if count and int(count.group(1)) <= 1:
        return None
    is_date = not isinstance(current, datetime)
    start = datetime(current.year, current.month, current.day) if is_date else current.replace(tzinfo=None)
    parsed, start = _rule(rule, start)
    # A date's next occurrence is on a later day, even for a sub-daily rule stored before those were refused.
    following = _first_after(
        parsed, start.replace(hour=23, minute=59, second=59) if is_date else start, inclusive=False
    )
    if following is None:
        return None
    following = following.replace(tzinfo=None)
    if count:
        rule = _COUNT.sub(f"COUNT={int(count.group(1)) - 1}", rule)
    return (following.date() if is_date else following), rule


_DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday",
              "SU": "Sunday"}  # fmt: skip
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def recurrence_words(rule: str | None) -> str:
    """A rule in words, as a person would say it ("every 2 weeks on Monday and Friday"); the rule itself
    when it uses parts these words do not cover (BYSETPOS, BYMONTH, BYHOUR...)."""
    if not rule:
        return ""
    try:
        parts = dict(part.split("=", 1) for part in rule.upper().removeprefix("RRULE:").split(";") if part)
    except ValueError:
        return rule
    unit = _UNITS.get(parts.pop("FREQ", ""))
    interval = parts.pop("INTERVAL", "1")
    days = [d for d in parts.pop("BYDAY", "").split(",") if d]
    month_day = parts.pop("BYMONTHDAY", "")
    count, until = parts.pop("COUNT", ""), parts.pop("UNTIL", "")
    parts.pop("WKST", None)
    if unit is None or parts or not interval.isdigit() or any(d not in _DAY_NAMES for d in days):
        return rule
    if days and unit != "week":
        return rule  # "every day on Monday" would say it less well than the rule
    n = int(interval)
    every = f"every {unit}" if n == 1 else "every other week" if n == 2 and unit == "week" else f"every {n} {unit}s"
    if days == ["MO", "TU", "WE", "TH", "FR"] and unit == "week" and n == 1:
        words = "every weekday"
    elif len(days) == 1 and unit == "week" and n == 1:
        words = f"every {_DAY_NAMES[days[0]]}"
    elif days:
        named = [_DAY_NAMES[d] for d in days]
        words = f"{every} on {', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else f"{every} on {named[0]}"
    else:
        words = every
    if month_day:
        if unit != "month":
            return rule  # a year's (or a week's) "on the 5th" is every month's 5th of it: the rule says it better
        if month_day == "-1":
            words += " on the last day"
        elif month_day.isdigit() and "," not in month_day:
            words += f" on the {_ordinal(int(month_day))}"
        else:
            return rule
    if count.isdigit():
        words += ", once" if count == "1" else f", {count} times"
    if until[:8].isdigit():
        words += f", until {until[:4]}-{until[4:6]}-{until[6:8]}"
    return words
