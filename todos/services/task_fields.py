"""The rules of a task's fields: title, notes, priority, labels, due date and time zone, recurrence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mysite.constants import TIME_ZONES
from todos.errors import InvalidTask, TaskRuleBroken
from todos.models import Task
from todos.recurrence import recurrence_check_reachable

MAX_TITLE = 500
MAX_NOTES = 20_000
MAX_LABELS = 20
MAX_LABEL = 60
# Due dates run within these years: far enough for any plan, and every date arithmetic on them (time
# zones, the day after, repeats HORIZON_YEARS ahead) stays inside what Python's dates can hold.
DUE_YEARS = (1900, 2999)


def task_due_datetime_local(task: Task) -> datetime | None:
    """The due instant in the time zone the user gave it in."""
    if task.due_datetime is None:
        return None
    return task.due_datetime.astimezone(ZoneInfo(task.due_timezone or "UTC"))


def clean_title(title: str) -> str:
    """The title with its white space folded; refused when empty or over MAX_TITLE characters."""
    title = " ".join((title or "").split())
    if not title:
        raise InvalidTask("A task needs a title.", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidTask(f"A title is at most {MAX_TITLE} characters.", field="title")
    return title


def clean_notes(notes: str | None) -> str:
    """The notes stripped; refused over MAX_NOTES characters."""
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise InvalidTask(f"Notes are at most {MAX_NOTES} characters.", field="notes")
    return notes


def clean_priority(priority) -> int:
    """The priority, a whole number from 1 to 4."""
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 4:
        raise InvalidTask("Priority is a whole number from 1 (normal) to 4 (urgent).", field="priority")
    return priority


def clean_labels(labels) -> list[str]:
    """The labels folded, without a leading "@" and without repeats; at most MAX_LABELS of MAX_LABEL characters."""
    cleaned: list[str] = []
    for label in labels or []:
        label = " ".join(str(label).split()).lstrip("@")
        if not label:
            raise InvalidTask("Labels cannot be empty.", field="labels")
        if len(label) > MAX_LABEL:
            raise InvalidTask(f"A label is at most {MAX_LABEL} characters.", field="labels")
        if label not in cleaned:
            cleaned.append(label)
    if len(cleaned) > MAX_LABELS:
        raise InvalidTask(f"A task has at most {MAX_LABELS} labels.", field="labels")
    return cleaned


def _zone(name: str | None) -> ZoneInfo:
    try:
        if (name or "UTC") not in TIME_ZONES:
            raise ValueError(name)
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidTask(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Paris.", field="due_timezone"
        ) from None


def apply_due(task: Task, *, due_date: date | None, due_datetime: datetime | None, due_timezone: str | None) -> None:
    """Set a whole-day due date, or a due instant with its time zone (naive times are in that zone)."""
    if due_date is not None and due_datetime is not None:
        raise InvalidTask("Give either a due date or a due date-time, not both.", field="due_date")
    if due_timezone and due_datetime is None:
        raise InvalidTask("A time zone goes with a due date-time.", field="due_timezone")
    due = due_date if due_date is not None else due_datetime
    if due is not None and not DUE_YEARS[0] <= due.year <= DUE_YEARS[1]:
        field = "due_date" if due_date is not None else "due_datetime"
        raise TaskRuleBroken(f"A due date is between the years {DUE_YEARS[0]} and {DUE_YEARS[1]}.", field=field)
    task.due_date = due_date.isoformat() if due_date is not None else None
    if due_datetime is None:
        task.due_datetime = task.due_timezone = None
        return
    zone = _zone(due_timezone)
    local = due_datetime.replace(tzinfo=zone) if due_datetime.tzinfo is None else due_datetime.astimezone(zone)
    task.due_datetime = local.astimezone(UTC)
    task.due_timezone = zone.key


def check_recurrence(task: Task, *, rule_changed: bool) -> None:
    """A recurring task has a due date; a new or changed rule must have a date within the horizon."""
    if not task.recurrence:
        return
    if not (task.due_date or task.due_datetime):
        raise TaskRuleBroken("A recurring task needs a due date.", field="recurrence")
    if rule_changed:
        local = task_due_datetime_local(task)
        recurrence_check_reachable(task.recurrence, local if local is not None else date.fromisoformat(task.due_date))
