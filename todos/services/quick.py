"""Quick add: a task from one line of words, read in the user's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accounts.selectors import profile_get_cached
from mysite.errors import ApplicationError
from todos import selectors
from todos.models import Task, utcnow
from todos.quickadd import QuickAdd, quick_add_parse
from todos.services.tasks import task_create


def user_zone(*, owner: str, time_zone: str | None = None, fallback_time_zone: str | None = None) -> ZoneInfo:
    """The zone words like "tomorrow 9am" mean: the one given, else the profile's, else the fallback, else UTC."""
    if not time_zone:
        profile = profile_get_cached(sub=owner)
        time_zone = getattr(profile, "time_zone", None) or fallback_time_zone
    try:
        return ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def quick_add_preview(
    *,
    owner: str,
    text: str,
    time_zone: str | None = None,
    fallback_time_zone: str | None = None,
    now: datetime | None = None,
    read_lists: bool = True,
) -> QuickAdd:
    """What `task_quick_add` would understand in `text`, creating nothing.

    Without `read_lists` (a list shared with `owner`), "#name" names no list and stays in the title.
    """
    zone = user_zone(owner=owner, time_zone=time_zone, fallback_time_zone=fallback_time_zone)
    lists = [x.name for x in selectors.lists_of(owner=owner) if not x.archived] if read_lists else []
    return quick_add_parse(text, now=(now or utcnow()).astimezone(zone), list_names=lists)


def task_quick_add(
    *,
    owner: str,
    text: str,
    time_zone: str | None = None,
    fallback_time_zone: str | None = None,
    now: datetime | None = None,
    list_id: str | None = None,
    default_due: date | None = None,
    default_labels: tuple[str, ...] = (),
    by: str | None = None,
) -> tuple[Task, QuickAdd]:
    """A task from `text` and what was understood; text the task cannot take as read becomes just its title.

    `list_id`, `default_due` and `default_labels` apply when the text says nothing of them (the view on screen).
    `by` is who typed it when that is not `owner` (a member adding to a shared list): the words are read in
    their time zone, and "#name" stays in the title, since the task stays in the shared list.
    """
    reader = by or owner
    zone = user_zone(owner=reader, time_zone=time_zone, fallback_time_zone=fallback_time_zone)
    parsed = quick_add_preview(owner=reader, text=text, time_zone=zone.key, now=now, read_lists=reader == owner)
    by_name = {x.name: x.list_id for x in selectors.lists_of(owner=owner)} if parsed.list_name else {}
    labels = list(dict.fromkeys([*parsed.labels, *default_labels]))
    fields: dict = {"title": parsed.title, "labels": labels, "recurrence": parsed.recurrence}
    fields["list_id"] = by_name.get(parsed.list_name) if parsed.list_name else list_id
    if parsed.priority is not None:
        fields["priority"] = parsed.priority
    if parsed.due_date is not None and parsed.due_time is not None:
        fields["due_datetime"] = datetime.combine(parsed.due_date, parsed.due_time)
        fields["due_timezone"] = zone.key
    elif parsed.due_date is not None:
        fields["due_date"] = parsed.due_date
    elif default_due is not None:
        fields["due_date"] = default_due
    try:
        return task_create(owner=owner, **fields), parsed
    except ApplicationError:
        # A reading the task refuses (a repeat with no date in reach, a label too long): the words as typed.
        plain = QuickAdd(title=" ".join(text.split()))
        task = task_create(
            owner=owner, title=plain.title, list_id=list_id, due_date=default_due, labels=list(default_labels)
        )
        return task, plain
