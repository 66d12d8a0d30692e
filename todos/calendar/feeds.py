"""Secret calendar feed URLs: create or regenerate, revoke (services), resolve a token and read its tasks (selectors).

A token is 32 random bytes (base64url); only its SHA-256 is stored, in the `CalendarFeed` item
of its owner and scope ("user" for all lists, "list#<id>" for one). A request finds the item
through the `by-token` index, then re-reads it strongly consistently and compares the hashes
in constant time, so a token regenerated or revoked a moment ago is refused even while the
index lags. Reads are bounded: the feed's open due tasks only, at most `MAX_FEED_TASKS`, through
the `by-owner-open` index (all lists) or the list's open partition (`by-list-state`); never a Scan.
Nothing is kept in process memory but the read cache (mysite.cache), so this is right with any
number of processes and threads.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError

from mysite import cache
from mysite.dynamo import condition_failed
from todos import selectors
from todos.calendar.ics import FeedTask, calendar_text
from todos.errors import CalendarFeedNotFound, ListNotFound, VersionConflict
from todos.models import NO_DUE, CalendarFeed, Task, utcnow

USER_FEED = "user"
MAX_FEED_TASKS = 1000
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class FeedToken:
    """A feed just created or regenerated: the token is shown this once and never stored."""

    token: str
    feed_key: str
    list_id: str | None
    created_at: datetime


def feed_key_for(list_id: str | None) -> str:
    return f"list#{list_id}" if list_id else USER_FEED


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Services -------------------------------------------------------------------------------------


def calendar_feed_issue(*, owner: str, list_id: str | None = None) -> FeedToken:
    """A new secret URL for the user's feed (or one list's): any earlier token of that feed stops working."""
    if list_id is not None:
        selectors.list_get(owner=owner, list_id=list_id)  # another user's list, or none: 404
    key = feed_key_for(list_id)
    try:
        feed = CalendarFeed.get(owner, key, consistent_read=True)
    except DoesNotExist:
        feed = CalendarFeed(owner=owner, feed_key=key)
    token = secrets.token_urlsafe(32)
    feed.token_hash = token_hash(token)
    feed.created_at = utcnow()
    try:
        feed.save()  # conditioned on the version read, so two regenerations at once cannot both win
    except PutError as error:
        if condition_failed(error):
            raise VersionConflict("The calendar link was changed at the same moment; try again.") from error
        raise
    return FeedToken(token=token, feed_key=key, list_id=list_id, created_at=feed.created_at)


def calendar_feed_revoke(*, owner: str, list_id: str | None = None) -> None:
    """Revoke the feed's secret URL (from then on it answers 404); revoking one that is not there changes nothing."""
    if list_id is not None:
        selectors.list_get(owner=owner, list_id=list_id)
    # DeleteItem of an absent item succeeds: revoking twice is the same as once.
    CalendarFeed(owner=owner, feed_key=feed_key_for(list_id)).delete(add_version_condition=False)


# --- Selectors ------------------------------------------------------------------------------------


def calendar_feed_get(*, owner: str, list_id: str | None = None) -> CalendarFeed | None:
    """The feed's record (without its token), or None when it has none."""
    if list_id is not None:
        selectors.list_get(owner=owner, list_id=list_id)
    try:
        return CalendarFeed.get(owner, feed_key_for(list_id), consistent_read=True)
    except DoesNotExist:
        return None


def calendar_feeds_of(*, owner: str) -> dict[str, CalendarFeed]:
    """The user's live feeds by `feed_key`: one Query on their partition (one item per feed)."""
    return {feed.feed_key: feed for feed in CalendarFeed.query(owner, consistent_read=True)}


def calendar_feed_for_token(token: str) -> CalendarFeed:
    """The live feed a token opens; CalendarFeedNotFound (404) for a revoked, regenerated or unknown one."""
    if not _TOKEN.match(token or ""):
        raise CalendarFeedNotFound()
    wanted = token_hash(token)
    for candidate in CalendarFeed.by_token.query(wanted, limit=2):
        try:
            feed = CalendarFeed.get(candidate.owner, candidate.feed_key, consistent_read=True)
        except DoesNotExist:
            continue
        if hmac.compare_digest(feed.token_hash.encode(), wanted.encode()):
            return feed
    raise CalendarFeedNotFound()


def _feed_tasks(feed: CalendarFeed) -> list[Task]:
    if feed.feed_key == USER_FEED:
        results = Task.by_open.query(feed.owner, Task.open_due < NO_DUE, limit=MAX_FEED_TASKS)
    else:
        list_id = feed.feed_key.removeprefix("list#")
        results = Task.by_list_state.query(
            f"{feed.owner}#{list_id}#open", filter_condition=Task.due_sort < NO_DUE, limit=MAX_FEED_TASKS
        )
    return list(results)


def _as_feed_task(task: Task, *, base_url: str) -> FeedTask:
    return FeedTask(
        task_id=task.task_id,
        title=task.title,
        notes=task.notes or "",
        due_date=datetime.strptime(task.due_date, "%Y-%m-%d").date() if task.due_date else None,
        due_datetime=task.due_datetime,
        due_timezone=task.due_timezone,
        recurrence=task.recurrence,
        priority=int(task.priority),
        updated_at=task.updated_at,
        url=f"{base_url}/todos/lists/{task.list_id}/#task-{task.task_id}",
    )


def calendar_feed_text(feed: CalendarFeed, *, base_url: str, domain: str) -> str:
    """The feed's iCalendar text, kept in the read cache until the owner's next write."""
    if feed.feed_key == USER_FEED:
        name = "MyTodoList"
    else:
        try:
            name = (
                f"MyTodoList: {selectors.list_get(owner=feed.owner, list_id=feed.feed_key.removeprefix('list#')).name}"
            )
        except ListNotFound:
            raise CalendarFeedNotFound() from None

    def render() -> str:
        tasks = [_as_feed_task(task, base_url=base_url) for task in _feed_tasks(feed)]
        return calendar_text(name=name, tasks=tasks, domain=domain)

    return cache.cached(
        scope=cache.user_scope(feed.owner),
        name="calendar-feed",
        params={"feed": feed.feed_key, "base": base_url, "name": name},
        compute=render,
    )
