"""Quick add: one line of plain English read into a task's fields, with the span of every token understood.

"Pay rent tomorrow 9am #Home @bills p4 every month" is a title ("Pay rent"), a due date and time,
a list, a label, a priority and an RRULE. The grammar is small and written out here on top of
python-dateutil (already a runtime dependency, for RRULEs): `dateparser` would cost several MB of
the Lambda package's budget and still leave lists, labels, priorities and "every ..." to us.

Words it does not understand stay in the title; a word written with a leading backslash (`\\friday`)
is always kept literally. Pure functions of the text, the clock and the list names: no I/O, no state.

Dates: today, tomorrow (tmr, tmrw), weekdays ("fri", "on friday": the next one, today included;
"next fri": the next one after today), "next week" (Monday), "next month" (the 1st), "in 3 days",
"in 2 weeks", "in a month", "in 2 hours", ISO dates, M/D and M/D/YYYY, "March 3", "3 March",
"Mar 3rd 2027", "the 15th". A date without a year is the next such day. Times: 9am, 9:30pm,
"at 9", 17:30, noon, midnight; a time alone is today's, or tomorrow's once it has passed.
Repeats: daily, weekly, monthly, yearly, every day / weekday / week / month / year, every N days
(weeks, months, years), every other week, every monday (tue, ...), every month on the 1st.
Priority p1 (normal) to p4 (urgent), lists #Name, labels @name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
UNITS = {
    "day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
    "year": "years", "years": "years", "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours",
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
}  # fmt: skip
FREQS = {"days": "DAILY", "weeks": "WEEKLY", "months": "MONTHLY", "years": "YEARLY"}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
MAX_LABEL = 60
MAX_LABELS = 20

_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s?(am|pm|a|p)?$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")
_PRIORITY = re.compile(r"^p([1-4])$")
_INTEGER = re.compile(r"^\d{1,3}$")


@dataclass
class Token:
    """A piece of the text that was understood (or kept literally): its kind and [start, end) span."""

    kind: str
    start: int
    end: int
    text: str
    value: object = None

    def as_dict(self) -> dict:
        value = self.value.isoformat() if isinstance(self.value, (date, time)) else self.value
        return {"kind": self.kind, "start": self.start, "end": self.end, "text": self.text, "value": value}


@dataclass
class QuickAdd:
    """What a line of text says: the task's fields (naive local due) and the tokens behind them."""

    title: str
    due_date: date | None = None
    due_time: time | None = None
    list_name: str | None = None
    labels: list[str] = field(default_factory=list)
    priority: int | None = None
    recurrence: str | None = None
    tokens: list[Token] = field(default_factory=list)


@dataclass
class _Word:
    text: str
    start: int
    end: int

    @property
    def key(self) -> str:
        return self.text.lower().rstrip(",.;:!?")


def _words(text: str) -> list[_Word]:
    return [_Word(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def _next_weekday(today: date, weekday: int, *, after_today: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and after_today:
        ahead = 7
    return today + timedelta(days=ahead)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(today: date, month: int, day: int, year: int | None) -> date | None:
    """The date; without a year, the next time it comes round (today included)."""
    if year is not None:
        return _safe_date(year, month, day)
    for candidate_year in range(today.year, today.year + 9):  # Feb 29 may be years away
        found = _safe_date(candidate_year, month, day)
        if found is not None and found >= today:
            return found
    return None


def _day_of_month(word: str) -> int | None:
    match = _ORDINAL.match(word)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 31 else None


def _count(word: str) -> int | None:
    if word in NUMBERS:
        return NUMBERS[word]
    return int(word) if _INTEGER.match(word) and int(word) > 0 else None


# Each matcher looks at words[i:] and answers (words used, value) or None.


def _match_time(words: list[str], now: datetime):
    first = words[0]
    lead = 1 if first == "at" and len(words) > 1 else 0
    word = words[lead]
    if word in {"noon", "midday"}:
        return lead + 1, time(12, 0)
    if word == "midnight":
        return lead + 1, time(0, 0)
    clock = _CLOCK.match(word)
    if clock:
        return lead + 1, time(int(clock.group(1)), int(clock.group(2)))
    used, candidate = lead + 1, word
    if lead + 1 < len(words) and words[lead + 1] in {"am", "pm"}:
        used, candidate = lead + 2, f"{word}{words[lead + 1]}"
    match = _TIME.match(candidate)
    if not match or not (match.group(3) or lead):  # a bare "9" is a time only after "at"
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "")[:1]
    if (half and not 1 <= hour <= 12) or hour > 23 or minute > 59:
        return None
    if half == "p" and hour != 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return used, time(hour, minute)


def _match_date(words: list[str], now: datetime):
    today = now.date()
    lead = 1 if words[0] in {"on", "by", "due"} and len(words) > 1 else 0
    w = words[lead:]
    first = w[0]
    simple = {"today": today, "tod": today, "tomorrow": today + timedelta(days=1)}
    simple |= {"tmr": today + timedelta(days=1), "tmrw": today + timedelta(days=1)}
    if first in simple:
        return lead + 1, simple[first]
    if first in WEEKDAYS:
        return lead + 1, _next_weekday(today, WEEKDAYS[first], after_today=False)
    if first == "next" and len(w) > 1:
        if w[1] in WEEKDAYS:
            return lead + 2, _next_weekday(today, WEEKDAYS[w[1]], after_today=True)
        if w[1] == "week":
            return lead + 2, _next_weekday(today, 0, after_today=True)
        if w[1] == "month":
            return lead + 2, (today + relativedelta(months=1)).replace(day=1)
        if w[1] == "year":
            return lead + 2, date(today.year + 1, 1, 1)
    if first == "in" and len(w) > 2 and _count(w[1]) and w[2] in UNITS:
        unit = UNITS[w[2]]
        moved = now + relativedelta(**{unit: _count(w[1])})
        return lead + 3, (moved if unit in {"hours", "minutes"} else moved.date())
    iso = _ISO.match(first)
    if iso:
        found = _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        return (lead + 1, found) if found else None
    slashed = _SLASHED.match(first)
    if slashed:  # month/day, as in the US
        year = int(slashed.group(3)) if slashed.group(3) else None
        found = _upcoming(today, int(slashed.group(1)), int(slashed.group(2)), year)
        return (lead + 1, found) if found else None
    if first in MONTHS and len(w) > 1 and _day_of_month(w[1]):  # March 3 [2027]
        year = int(w[2]) if len(w) > 2 and re.fullmatch(r"\d{4}", w[2]) else None
        found = _upcoming(today, MONTHS[first], _day_of_month(w[1]), year)
        return (lead + 2 + (year is not None), found) if found else None
    day = _day_of_month(first)
    if day and len(w) > 1:
        rest = w[2:] if w[1] == "of" and len(w) > 2 else w[1:]
        if rest and rest[0] in MONTHS:  # 3 March [2027], 3rd of March
            year = int(rest[1]) if len(rest) > 1 and re.fullmatch(r"\d{4}", rest[1]) else None
            found = _upcoming(today, MONTHS[rest[0]], day, year)
            used = lead + (len(w) - len(rest)) + 1 + (year is not None)
            return (used, found) if found else None
    if first == "the" and len(w) > 1 and re.fullmatch(r"\d{1,2}(st|nd|rd|th)", w[1]) and _day_of_month(w[1]):
        day = _day_of_month(w[1])
        for months in range(0, 12):
            candidate = today + relativedelta(months=months)
            found = _safe_date(candidate.year, candidate.month, day)
            if found and found >= today:
                return lead + 2, found
    return None


def _match_recurrence(words: list[str], now: datetime):
    first = words[0]
    plain = {"daily": "FREQ=DAILY", "weekly": "FREQ=WEEKLY", "monthly": "FREQ=MONTHLY", "yearly": "FREQ=YEARLY"}
    if first in plain:
        return 1, plain[first]
    if first != "every" or len(words) < 2:
        return None
    second = words[1]
    if second in {"weekday", "workday"}:
        return 2, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    if second in WEEKDAYS:
        return 2, f"FREQ=WEEKLY;BYDAY={RRULE_DAYS[WEEKDAYS[second]]}"
    used, interval, unit = 2, 1, UNITS.get(second)
    if second == "other" and len(words) > 2:
        used, interval, unit = 3, 2, UNITS.get(words[2])
    elif _count(second) and len(words) > 2:
        used, interval, unit = 3, _count(second), UNITS.get(words[2])
    if unit not in FREQS:
        return None
    rule = f"FREQ={FREQS[unit]}" + (f";INTERVAL={interval}" if interval > 1 else "")
    tail = words[used:]
    if unit == "months" and len(tail) > 2 and tail[0] == "on" and tail[1] == "the" and _day_of_month(tail[2]):
        return used + 3, f"{rule};BYMONTHDAY={_day_of_month(tail[2])}"
    return used, rule


def recurrence_from_words(text: str) -> str | None:
    """The RRULE of a repeat written in words ("every tuesday", "every 2 weeks", "monthly"), when the
    words are that and nothing else; None otherwise (an RRULE itself, or anything else)."""
    words = text.lower().split()
    found = _match_recurrence(words, datetime.now()) if words else None
    return found[1] if found and found[0] == len(words) else None


def _first_occurrence(rule: str, today: date) -> date:
    """When a repeat given without a date first falls: today or the rule's next day."""
    start = datetime(today.year, today.month, today.day)
    following = rrulestr(f"RRULE:{rule}", dtstart=start).after(start, inc=True)
    return following.date() if following else today


def quick_add_parse(text: str, *, now: datetime, list_names: tuple[str, ...] | list[str] = ()) -> QuickAdd:
    """Read `text` at local time `now` (naive or aware, in the user's zone); `list_names` are the #lists known."""
    now = now.replace(tzinfo=None, second=0, microsecond=0)
    words = _words(text)
    known_lists = {name.lower().replace(" ", ""): name for name in list_names}
    parsed = QuickAdd(title="")
    kept: list[_Word] = []
    when: datetime | date | None = None
    at: time | None = None
    i = 0
    while i < len(words):
        word = words[i]
        keys = [w.key for w in words[i:]]
        if word.text.startswith("\\") and len(word.text) > 1:
            parsed.tokens.append(Token("literal", word.start, word.end, word.text))
            kept.append(_Word(word.text[1:], word.start + 1, word.end))
            i += 1
            continue
        found = None
        label = word.text[1:].rstrip(",.;:!?").lstrip("@")
        if word.text.startswith("@") and label and len(label) <= MAX_LABEL and len(parsed.labels) < MAX_LABELS:
            found = ("label", 1, label)
        elif word.text.startswith("#") and word.key[1:].replace("-", "") in known_lists and parsed.list_name is None:
            found = ("list", 1, known_lists[word.key[1:].replace("-", "")])
        elif _PRIORITY.match(word.key) and parsed.priority is None:
            found = ("priority", 1, int(word.key[1]))
        else:
            for kind, matcher, free in (
                ("recurrence", _match_recurrence, parsed.recurrence is None),
                ("due", _match_date, when is None),
                ("time", _match_time, at is None),
            ):
                result = matcher(keys, now) if free else None
                if result:
                    found = (kind, *result)
                    break
        if found is None:
            kept.append(word)
            i += 1
            continue
        kind, used, value = found
        last = words[i + used - 1]
        parsed.tokens.append(Token(kind, word.start, last.end, text[word.start : last.end], value))
        if kind == "label" and value not in parsed.labels:
            parsed.labels.append(value)
        elif kind == "list":
            parsed.list_name = value
        elif kind == "priority":
            parsed.priority = value
        elif kind == "recurrence":
            parsed.recurrence = value
        elif kind == "due" and isinstance(value, datetime):  # "in 2 hours": a date and a time
            when, at = value.date(), at or value.time()
        elif kind == "due":
            when = value
        elif kind == "time":
            at = value
        i += used
    parsed.title = " ".join(w.text for w in kept).strip() or text.strip()
    if when is None and parsed.recurrence:
        when = _first_occurrence(parsed.recurrence, now.date())
        if at is not None and datetime.combine(when, at) <= now:  # today's has passed: the next one
            when = _first_occurrence(parsed.recurrence, now.date() + timedelta(days=1))
    if when is None and at is not None:
        when = now.date() if at > now.time() else now.date() + timedelta(days=1)
    parsed.due_date, parsed.due_time = when, at
    return parsed
