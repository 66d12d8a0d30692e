"""Reminders of tasks: create, list, delete, snooze; follow a task's due; send the due ones exactly once.

Every write bumps the owner's read-cache scope in its own transaction. The clock is a parameter
(`now=`) wherever the present is compared with, so tests never sleep.

Sending (`reminders_dispatch`, every minute): the sparse index `by-fire-minute` holds the unsent
reminders by their fire minute; the last LOOKBACK_MINUTES buckets up to now are Queried (a missed
minute is caught up). Each due reminder is claimed by a conditional write (unsent, no live claim, the
same fire time as read), mailed, then marked sent (leaving the index). A second dispatcher or a
redelivery meets the claim or the sent mark and does nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from pynamodb.exceptions import DoesNotExist, UpdateError

from accounts.selectors import profile_get, profile_get_cached
from mysite import cache
from mysite.constants import TIME_ZONES
from todos.errors import InvalidTask, ReminderLinkInvalid, ReminderNotFound, TaskNotFound, TaskRuleBroken
from todos.models import Reminder, Task, fire_bucket, utcnow
from todos.services._common import new_id, task_for_write, touch
from todos.services.task_fields import DUE_YEARS

logger = logging.getLogger(__name__)

MAX_REMINDERS = 10
MAX_OFFSET_MINUTES = 7 * 24 * 60  # a week before the due time
LOOKBACK_MINUTES = 15
SNOOZE_MINUTES = 60
SNOOZE_SALT = "todos.reminders.snooze"
SNOOZE_LINK_DAYS = 7
# A claim must outlast one handler run (Lambda stops it at its timeout, 120 s at most here).
LEASE = timedelta(minutes=5)
ABSOLUTE, RELATIVE = "absolute", "relative"


def _now(now: datetime | None) -> datetime:
    return (now or utcnow()).astimezone(UTC)


def _fire_at(reminder: Reminder, task: Task) -> datetime | None:
    if reminder.kind == ABSOLUTE:
        return reminder.at
    if task.due_datetime is None:
        return None
    try:
        return task.due_datetime.astimezone(UTC) - timedelta(minutes=int(reminder.offset_minutes))
    except OverflowError:
        return None


def reminder_zone_set(*, owner: str, task: Task) -> str | None:
    """The zone the task or the owner's profile names for reminders (the task's due zone first); None if neither."""
    return task.due_timezone or getattr(profile_get_cached(sub=owner), "time_zone", None)


def reminder_zone(*, owner: str, task: Task, fallback: str | None = None) -> ZoneInfo:
    """The zone of a reminder's typed time: `reminder_zone_set`, else `fallback` (the browser's), else UTC."""
    name = reminder_zone_set(owner=owner, task=task) or (fallback if fallback in TIME_ZONES else None) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def reminders_of(*, owner: str, task_id: str) -> list[Reminder]:
    """A task's reminders, soonest first (those with nothing to fire at last)."""
    found = Reminder.query(owner, Reminder.reminder_key.startswith(f"{task_id}#"), consistent_read=True)
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda r: (r.fire_at or far, r.reminder_id))


def reminders_task_get(*, owner: str, task_id: str) -> list[Reminder]:
    """The reminders of one of the owner's tasks (TaskNotFound when it is not theirs)."""
    task_for_write(owner=owner, task_id=task_id)
    return reminders_of(owner=owner, task_id=task_id)


def _reminder_for_write(*, owner: str, task_id: str, reminder_id: str) -> Reminder:
    try:
        return Reminder.get(owner, f"{task_id}#{reminder_id}", consistent_read=True)
    except DoesNotExist:
        raise ReminderNotFound() from None


def reminder_create(
    *,
    owner: str,
    task_id: str,
    at: datetime | None = None,
    offset_minutes: int | None = None,
    now: datetime | None = None,
    fallback_time_zone: str | None = None,
) -> Reminder:
    """A reminder at `at`, or `offset_minutes` before the task's due time; nothing is written on refusal.

    A naive `at` is in `reminder_zone` (`fallback_time_zone` when neither the task nor the profile has one).
    """
    now = _now(now)
    task = task_for_write(owner=owner, task_id=task_id)
    if (at is None) == (offset_minutes is None):
        raise InvalidTask("Give either a time (at) or minutes before the due time (offset_minutes).", field="at")
    if at is not None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=reminder_zone(owner=owner, task=task, fallback=fallback_time_zone))
        try:
            at = at.astimezone(UTC).replace(microsecond=0)
        except (OverflowError, ValueError):
            raise InvalidTask("This date-time is outside the calendar.", field="at") from None
        if not DUE_YEARS[0] <= at.year <= DUE_YEARS[1]:  # as due dates: shown in any zone without overflow
            raise TaskRuleBroken(f"A reminder is between the years {DUE_YEARS[0]} and {DUE_YEARS[1]}.", field="at")
        kind = ABSOLUTE
    else:
        if isinstance(offset_minutes, bool) or not isinstance(offset_minutes, int):
            raise InvalidTask("Minutes before the due time are a whole number.", field="offset_minutes")
        if not 0 <= offset_minutes <= MAX_OFFSET_MINUTES:
            raise InvalidTask(f"Minutes before the due time are 0 to {MAX_OFFSET_MINUTES}.", field="offset_minutes")
        if task.due_datetime is None:
            raise TaskRuleBroken("A reminder before the due time needs a due date with a time.", field="offset_minutes")
        kind = RELATIVE
    if len(reminders_of(owner=owner, task_id=task_id)) >= MAX_REMINDERS:
        raise TaskRuleBroken(f"A task has at most {MAX_REMINDERS} reminders.", field="at")
    reminder_id = new_id()
    reminder = Reminder(
        owner,
        f"{task_id}#{reminder_id}",
        task_id=task_id,
        reminder_id=reminder_id,
        kind=kind,
        at=at,
        offset_minutes=offset_minutes,
    )
    reminder.fire_at = _fire_at(reminder, task)
    if reminder.fire_at is None or reminder.fire_at <= now:
        raise TaskRuleBroken(
            "This reminder would fire in the past.", field="offset_minutes" if kind == RELATIVE else "at"
        )
    reminder.schedule()
    cache.save_with_bump(reminder, cache.user_scope(owner), condition=Reminder.reminder_key.does_not_exist())
    return reminder


def reminder_delete(*, owner: str, task_id: str, reminder_id: str) -> None:
    """Remove a reminder (and its place in the dispatcher's index)."""
    task_for_write(owner=owner, task_id=task_id)
    reminder = _reminder_for_write(owner=owner, task_id=task_id, reminder_id=reminder_id)
    cache.delete_with_bump(reminder, cache.user_scope(owner))


def reminders_purge(*, owner: str, task_id: str) -> int:
    """Delete every reminder of a task."""
    found = list(Reminder.query(owner, Reminder.reminder_key.startswith(f"{task_id}#")))
    with Reminder.batch_write() as batch:
        for reminder in found:
            batch.delete(reminder)
    return len(found)


def _save_all(owner: str, reminders: list[Reminder]) -> None:
    if not reminders:
        return
    with cache.transaction() as write:
        for reminder in reminders:
            touch(reminder)
            write.save(reminder, label=reminder.reminder_id)
        cache.stamp_bump(write, cache.user_scope(owner))


def due_shift(before: tuple, after: tuple) -> timedelta:
    """How far a due moved: `(due_datetime, due_date)` before and after (whole days for dates)."""
    if before[0] is not None and after[0] is not None:
        return after[0] - before[0]
    if before[1] and after[1]:
        return date.fromisoformat(after[1]) - date.fromisoformat(before[1])
    return timedelta(0)


def reminders_follow_task(*, task: Task, shift: timedelta | None = None, now: datetime | None = None) -> int:
    """After the task's due changed: relative reminders follow the due time; with `shift` (a recurring task
    moved to its next occurrence) absolute ones move by it too, and every reminder is unsent again.

    A reminder whose new time has passed stays listed but is not scheduled. Returns how many changed.
    """
    now = _now(now)
    changed = []
    for reminder in reminders_of(owner=task.owner, task_id=task.task_id):
        before = (reminder.fire_at, reminder.sent_at)
        if shift is not None:
            if reminder.kind == ABSOLUTE and reminder.at is not None:
                try:
                    reminder.at = reminder.at + shift
                except OverflowError:
                    continue  # beyond the calendar's end: it stays where it was
            reminder.sent_at = None
            reminder.claimed_until = None
        reminder.fire_at = _fire_at(reminder, task)
        if shift is None and reminder.kind == ABSOLUTE:
            continue
        if (reminder.fire_at, reminder.sent_at) == before and shift is None:
            continue
        if reminder.fire_at is not None and reminder.fire_at <= now and reminder.sent_at is None:
            reminder.fire_minute = reminder.fire_sort = None
        else:
            reminder.schedule()
        changed.append(reminder)
    _save_all(task.owner, changed)
    return len(changed)


# --- Snooze --------------------------------------------------------------------------------------


def snooze_token(reminder: Reminder) -> str:
    return signing.dumps({"o": reminder.owner, "t": reminder.task_id, "r": reminder.reminder_id}, salt=SNOOZE_SALT)


def snooze_target(token: str) -> Reminder:
    """The reminder a snooze link names; ReminderLinkInvalid (400) when it is tampered, expired or gone."""
    try:
        data = signing.loads(token, salt=SNOOZE_SALT, max_age=timedelta(days=SNOOZE_LINK_DAYS))
        owner, task_id, reminder_id = data["o"], data["t"], data["r"]
    except (signing.BadSignature, KeyError, TypeError):
        raise ReminderLinkInvalid() from None
    try:
        return Reminder.get(owner, f"{task_id}#{reminder_id}", consistent_read=True)
    except DoesNotExist:
        raise ReminderLinkInvalid() from None


def reminder_snooze(*, token: str, now: datetime | None = None) -> Reminder:
    """Send the reminder again SNOOZE_MINUTES from now (it becomes a reminder at that moment)."""
    reminder = snooze_target(token)
    fire_at = _now(now).replace(second=0, microsecond=0) + timedelta(minutes=SNOOZE_MINUTES)
    reminder.kind, reminder.at, reminder.offset_minutes = ABSOLUTE, fire_at, None
    reminder.fire_at, reminder.sent_at, reminder.claimed_until = fire_at, None, None
    reminder.schedule()
    _save_all(reminder.owner, [reminder])
    return reminder


# --- Sending -------------------------------------------------------------------------------------


def _claim(reminder: Reminder, now: datetime) -> bool:
    """Take the send of `reminder` (unsent, no live claim, still firing when it was read)."""
    try:
        reminder.update(
            actions=[Reminder.claimed_until.set(now + LEASE)],
            condition=Reminder.reminder_key.exists()
            & Reminder.sent_at.does_not_exist()
            & (Reminder.fire_at == reminder.fire_at)
            & (Reminder.claimed_until.does_not_exist() | (Reminder.claimed_until < now)),
            add_version_condition=False,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def _release(reminder: Reminder) -> None:
    try:
        reminder.update(
            actions=[Reminder.claimed_until.remove()],
            condition=Reminder.claimed_until == reminder.claimed_until,
            add_version_condition=False,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def _mark_sent(reminder: Reminder, now: datetime) -> None:
    with cache.transaction() as write:
        write.update(
            reminder,
            actions=[
                Reminder.sent_at.set(now),
                Reminder.claimed_until.remove(),
                Reminder.fire_minute.remove(),
                Reminder.fire_sort.remove(),
            ],
            add_version_condition=False,
            label="reminder",
        )
        cache.stamp_bump(write, cache.user_scope(reminder.owner))


def reminder_email_send(*, reminder: Reminder, task: Task) -> None:
    """The reminder email: the task's title, a link that opens it and a snooze link."""
    profile = profile_get(sub=reminder.owner)
    if profile is None or not profile.email:
        raise TaskNotFound("The task's owner has no email address.")
    site = settings.SITE_URL.rstrip("/")
    context = {
        "task": task,
        "reminder": reminder,
        "site_name": settings.SITE_NAME,
        "open_url": f"{site}{reverse('todos:index')}?open={task.task_id}",
        "snooze_url": f"{site}{reverse('todos:reminder-snooze', args=[snooze_token(reminder)])}",
        "snooze_minutes": SNOOZE_MINUTES,
    }
    title = " ".join(task.title.split())[:150]
    send_mail(
        subject=f"Reminder: {title}",
        message=render_to_string("todos/reminder_email.txt", context),
        html_message=render_to_string("todos/reminder_email.html", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[profile.email],
    )


def _send_one(reminder: Reminder, now: datetime) -> bool:
    try:
        task = Task.get(reminder.owner, reminder.task_id, consistent_read=True)
    except DoesNotExist:
        return False
    if task.done:
        return False
    if not _claim(reminder, now):
        return False
    try:
        reminder_email_send(reminder=reminder, task=task)
    except Exception:
        _release(reminder)
        raise
    _mark_sent(reminder, now)
    return True


def reminders_dispatch(*, now: datetime | None = None) -> int:
    """Send every reminder due in the last LOOKBACK_MINUTES up to `now`; returns how many were sent."""
    now = _now(now)
    sent = 0
    for minutes_ago in range(LOOKBACK_MINUTES, -1, -1):
        bucket = fire_bucket(now - timedelta(minutes=minutes_ago))
        for entry in Reminder.by_fire_minute.query(bucket):
            if entry.fire_at is None or entry.fire_at > now or entry.sent_at is not None:
                continue
            try:
                sent += _send_one(entry, now)
            except Exception:
                logger.exception(
                    "Reminder %s of %s: sending failed; retried next minute", entry.reminder_id, entry.owner
                )
    return sent


# --- The details panel ---------------------------------------------------------------------------

OFFSET_CHOICES = (
    (0, "At the due time"),
    (5, "5 min before"),
    (10, "10 min before"),
    (15, "15 min before"),
    (30, "30 min before"),
    (60, "1 hour before"),
    (120, "2 hours before"),
    (1440, "1 day before"),
)


def reminder_when(reminder: Reminder, *, zone: ZoneInfo | None = None) -> str:
    """When a reminder goes out, in `zone` (else its `reminder_zone`): "Mon 7 Dec 2026 23:32 CET"; "—" if never."""
    if reminder.fire_at is None:
        return "—"
    if zone is None:
        try:
            task = Task.get(reminder.owner, reminder.task_id)
        except DoesNotExist:
            task = Task(reminder.owner, reminder.task_id)  # gone meanwhile: the profile's zone still says it
        zone = reminder_zone(owner=reminder.owner, task=task)
    return reminder.fire_at.astimezone(zone).strftime("%a %-d %b %Y %H:%M %Z")


def reminders_panel(*, owner: str, task: Task) -> list[dict]:
    """A task's reminders as the details panel shows them: when (in the task's time zone), and whether sent."""
    zone = reminder_zone(owner=owner, task=task)  # once for the panel, not once per reminder
    rows = []
    for reminder in reminders_of(owner=owner, task_id=task.task_id):
        if reminder.kind == RELATIVE:
            minutes = int(reminder.offset_minutes)
            what = f"{minutes} min before due" if minutes else "at the due time"
        else:
            what = "at a set time"
        when = reminder_when(reminder, zone=zone)
        rows.append({"reminder": reminder, "when": when, "what": what, "sent": reminder.sent_at is not None})
    return rows
