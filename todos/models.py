"""MyTodoList data: lists, tasks, attachments and deletion tombstones, each partitioned by owner.

Access patterns (no Scan anywhere):
- a user's lists / tasks / attachments: Query on the owner partition;
- a list's tasks by position (all, or open/done only): GSIs `by-list`, `by-list-state`. The latter's
  partition key is "<owner>#<list>#open" or "...#done", so the open tasks of a list are a partition of
  their own: the list page reads them without touching the list's done history, which it pages through
  (50 at a time, by cursor) only when the Completed filter or the "All" view asks for it;
- due ranges (overdue, today, before/after) and due-date order: GSI `by-owner-due`;
- the open tasks only, by due date (Today, a label's open tasks): sparse GSI `by-owner-open` on `open_due`,
  which done tasks do not carry, so these pages never read done history;
- a task's subtasks: sparse GSI `by-parent` on `parent_key` ("<owner>#<parent id>"), subtasks only;
- the counters the UI shows (open tasks per label, items left per list, open tasks per due day):
  one `TaskCounts` item per user, kept by every task write in its own transaction (todos.services.counts);
- priority order: GSI `by-owner-priority`;
- incremental sync: GSI `by-owner-changed` on every table plus the tombstone table;
- the Trash: a deleted task or list with what went with it, on the owner partition of `TrashItem`
  (TTL 30 days); its entries, newest first, through the sparse GSI `by-owner-deleted`;
- shared lists: a member's access is one GetItem of `ListMember` (member, list id); a task's owner and
  list, for a member who names only the task, from the keys-only GSI `by-task`; a shared list's changes
  for its members' sync from `by-list-changed` (tasks) and the sparse `by-list` of task tombstones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from mysite.dynamo import BaseMeta, global_index, table_name, utcnow

# A browser's upload may arrive until its POST policy expires (15 minutes); a little later it has failed.
UPLOAD_WINDOW = timedelta(minutes=20)
# How long a failed upload stays listed (as "Upload failed — retry") before its record expires.
PENDING_UPLOAD_KEPT = timedelta(days=1)

# Stands for "no due date" in `due_sort`: sorts after every ISO date and outside every date range.
NO_DUE = "~"


def changed_stamp() -> str:
    """A sortable change marker for sync: microsecond ISO time."""
    return utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sync_index() -> GlobalSecondaryIndex:
    """`by-owner-changed`, on every synced table: an owner's items by their `changed` stamp (incremental sync)."""
    return global_index("by-owner-changed", owner=UnicodeAttribute, changed=UnicodeAttribute)


class TodoList(Model):
    """A project: a named, coloured, ordered group of tasks."""

    class Meta(BaseMeta):
        table_name = table_name("todo-lists")

    owner = UnicodeAttribute(hash_key=True)
    list_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    colour = UnicodeAttribute(default="grey")
    position = NumberAttribute(default=0)
    archived = BooleanAttribute(default=False)
    member_count = NumberAttribute(default=0)  # members besides the owner (todos.services.sharing keeps it)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    changed = UnicodeAttribute(default=changed_stamp)
    version = VersionAttribute()

    by_changed = sync_index()


def due_key(moment: datetime) -> str:
    """A moment as the due-date indexes sort it: UTC, to the second, the year always in four digits.

    `strftime("%Y")` writes year 278 as "278", which would sort after "2026"; beyond the calendar's ends
    (year 1 or 9999 moved to UTC) the key is the end itself. A naive moment is taken as UTC.
    """
    try:
        utc = moment.astimezone(UTC) if moment.tzinfo else moment
    except OverflowError:
        return "0001-01-01T00:00:00Z" if moment.year == 1 else "9999-12-31T23:59:59Z"
    return utc.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


class Task(Model):
    """A task (or a subtask, one level deep) in one of the owner's lists."""

    class Meta(BaseMeta):
        table_name = table_name("todo-tasks")

    owner = UnicodeAttribute(hash_key=True)
    task_id = UnicodeAttribute(range_key=True)
    list_id = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    title_lower = UnicodeAttribute()
    notes = UnicodeAttribute(default="")
    done = BooleanAttribute(default=False)
    completed_at = UTCDateTimeAttribute(null=True)
    # A due date ("2025-03-01") or a due instant (UTC) with the time zone it was given in.
    due_date = UnicodeAttribute(null=True)
    due_datetime = UTCDateTimeAttribute(null=True)
    due_timezone = UnicodeAttribute(null=True)
    priority = NumberAttribute(default=1)
    labels = ListAttribute(of=UnicodeAttribute, default=list)
    position = NumberAttribute()
    recurrence = UnicodeAttribute(null=True)
    completions = ListAttribute(of=UTCDateTimeAttribute, default=list)
    created_at = UTCDateTimeAttribute(default=utcnow)
    updated_at = UTCDateTimeAttribute(default=utcnow)
    changed = UnicodeAttribute(default=changed_stamp)
    version = VersionAttribute()
    # Index keys, derived from the fields above by `Task.refresh_keys`.
    list_key = UnicodeAttribute()
    list_state = UnicodeAttribute()
    due_sort = UnicodeAttribute(default=NO_DUE)
    priority_sort = UnicodeAttribute()
    open_due = UnicodeAttribute(null=True)  # `due_sort` while open, absent once done (sparse index)
    parent_key = UnicodeAttribute(null=True)  # "<owner>#<parent_id>" on subtasks only (sparse index)

    by_list = global_index("by-list", list_key=UnicodeAttribute, position=NumberAttribute)
    by_list_state = global_index("by-list-state", list_state=UnicodeAttribute, position=NumberAttribute)
    by_due = global_index("by-owner-due", owner=UnicodeAttribute, due_sort=UnicodeAttribute)
    by_priority = global_index("by-owner-priority", owner=UnicodeAttribute, priority_sort=UnicodeAttribute)
    by_changed = sync_index()
    by_open = global_index("by-owner-open", owner=UnicodeAttribute, open_due=UnicodeAttribute)
    by_parent = global_index("by-parent", parent_key=UnicodeAttribute, position=NumberAttribute)
    # Where a task lives, for a member of a shared list who names only the task (todos.selectors.sharing).
    by_task = global_index("by-task", task_id=UnicodeAttribute, projection=IncludeProjection(["list_id"]))
    # A list's tasks by change stamp: what a shared list's members sync (todos.selectors.sync).
    by_list_changed = global_index("by-list-changed", list_key=UnicodeAttribute, changed=UnicodeAttribute)

    def refresh_keys(self) -> None:
        """Recompute the denormalised index keys after a change."""
        self.title_lower = self.title.lower()
        self.list_key = f"{self.owner}#{self.list_id}"
        self.list_state = f"{self.list_key}#{'done' if self.done else 'open'}"
        if self.due_datetime is not None:
            self.due_sort = due_key(self.due_datetime)
        elif self.due_date:
            # A whole-day due date sorts after every time on that day, so it is overdue only the day after.
            self.due_sort = f"{self.due_date}T~"
        else:
            self.due_sort = NO_DUE
        self.priority_sort = f"{int(self.priority)}#{self.due_sort}"
        self.open_due = None if self.done else self.due_sort
        self.parent_key = f"{self.owner}#{self.parent_id}" if self.parent_id else None


class TaskCounts(Model):
    """A user's counters, changed by every task write in the same transaction (todos.services.counts).

    Each map counts open tasks only: `labels` per label, `left` the top-level ones per list (TodoMVC's
    "items left"), `due` per UTC due day (Today = the days up to today). Read with one GetItem.
    """

    class Meta(BaseMeta):
        table_name = table_name("todo-counts")

    owner = UnicodeAttribute(hash_key=True)
    labels = MapAttribute(default=dict)
    left = MapAttribute(default=dict)
    due = MapAttribute(default=dict)
    counted_at = UTCDateTimeAttribute(default=utcnow)


class Attachment(Model):
    """A file on a task; the bytes live in S3 under the owner's prefix."""

    class Meta(BaseMeta):
        table_name = table_name("todo-attachments")

    owner = UnicodeAttribute(hash_key=True)
    # "<task_id>#<attachment_id>": a task's attachments are one Query with begins_with.
    attachment_key = UnicodeAttribute(range_key=True)
    task_id = UnicodeAttribute()
    attachment_id = UnicodeAttribute()
    file_name = UnicodeAttribute()
    size = NumberAttribute()
    content_type = UnicodeAttribute()
    s3_key = UnicodeAttribute()
    state = UnicodeAttribute(default="pending")
    created_at = UTCDateTimeAttribute(default=utcnow)
    changed = UnicodeAttribute(default=changed_stamp)
    version = VersionAttribute()
    # A pending upload's record: DynamoDB deletes it then (TTL); a ready attachment has none.
    expires_at = TTLAttribute(null=True)

    by_changed = sync_index()

    def current_state(self, now: datetime | None = None) -> str:
        """The state readers see: ready; pending while the upload may still arrive; expired once its window closed."""
        if self.state == "ready":
            return "ready"
        return "expired" if (now or utcnow()) >= self.created_at + UPLOAD_WINDOW else "pending"

    def is_gone(self, now: datetime | None = None) -> bool:
        """Past its TTL: deleted as far as readers are concerned, whether or not DynamoDB has swept it yet."""
        return self.expires_at is not None and self.expires_at <= (now or utcnow())


class Tombstone(Model):
    """A deletion, kept for a while so that syncing clients learn about it."""

    class Meta(BaseMeta):
        table_name = table_name("todo-tombstones")

    owner = UnicodeAttribute(hash_key=True)
    # "<changed>#<kind>#<id>": sorted by deletion time.
    tombstone_key = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    item_id = UnicodeAttribute()
    expires_at = TTLAttribute()
    list_key = UnicodeAttribute(null=True)  # a task's "<owner>#<list_id>": its list's members sync it too

    by_list = global_index("by-list", list_key=UnicodeAttribute, tombstone_key=UnicodeAttribute)


class TrashItem(Model):
    """What a deletion moved to the Trash: an entry (the task or list deleted) and its parts.

    An entry's `trash_key` is its trash id, "task-<task id>" or "list-<list id>"; each part (a subtask,
    a list's task, an attachment record) is "<trash id>/<kind>-<id>", so a restore reads them with one
    Query. `data` holds the item as DynamoDB stored it (JSON). Only entries carry `deleted`, so the
    `by-owner-deleted` index lists them and never the parts. DynamoDB removes both at `expires_at`.
    """

    class Meta(BaseMeta):
        table_name = table_name("todo-trash")
        stream_view_type = "OLD_IMAGE"  # read by todos.events: the files of attachments the TTL swept

    owner = UnicodeAttribute(hash_key=True)
    trash_key = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()  # "task", "list" or (parts only) "attachment"
    item_id = UnicodeAttribute()
    data = UnicodeAttribute()
    expires_at = TTLAttribute()
    # Entries only:
    deleted = UnicodeAttribute(null=True)  # the deletion's change stamp
    title = UnicodeAttribute(null=True)
    list_id = UnicodeAttribute(null=True)  # a task's list when it was deleted
    restoring = BooleanAttribute(null=True)  # its item is back, its parts are on their way (a resumable restore)
    target_list = UnicodeAttribute(null=True)  # where a restored task's subtasks go
    version = VersionAttribute()

    by_deleted = global_index("by-owner-deleted", owner=UnicodeAttribute, deleted=UnicodeAttribute)

    def is_gone(self, now: datetime | None = None) -> bool:
        """Past its TTL: gone for readers, whether or not DynamoDB has swept it yet."""
        return self.expires_at <= (now or utcnow())


class CalendarFeed(Model):
    """A secret calendar URL of a user (`feed_key` "user") or of one of their lists ("list#<id>").

    Only the SHA-256 of the token is kept. A request finds the feed through the `by-token` index, then
    reads this item strongly consistently, so a token regenerated or revoked a moment ago answers 404
    even while the index lags (todos.calendar.feeds).
    """

    class Meta(BaseMeta):
        table_name = table_name("todo-calendar-feeds")

    owner = UnicodeAttribute(hash_key=True)
    feed_key = UnicodeAttribute(range_key=True)
    token_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()

    by_token = global_index("by-token", token_hash=UnicodeAttribute)


class Reminder(Model):
    """A reminder of a task: at a moment (`kind` "absolute") or `offset_minutes` before its due time ("relative").

    `fire_at` is when it goes out (UTC). While unsent and scheduled it carries `fire_minute` (the
    minute's bucket, "YYYY-MM-DDTHH:MM") and `fire_sort` ("<fire_at>#<owner>#<id>"): the sparse index
    `by-fire-minute` holds exactly the reminders still to send, and the dispatcher Queries the last
    few minutes' buckets every minute (todos.services.reminders.reminders_dispatch), never a Scan.
    A send is claimed with a lease (`claimed_until`) by a conditional write, then marked `sent_at`.
    """

    class Meta(BaseMeta):
        table_name = table_name("todo-reminders")

    owner = UnicodeAttribute(hash_key=True)
    # "<task_id>#<reminder_id>": a task's reminders are one Query with begins_with.
    reminder_key = UnicodeAttribute(range_key=True)
    task_id = UnicodeAttribute()
    reminder_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # "absolute" or "relative"
    at = UTCDateTimeAttribute(null=True)
    offset_minutes = NumberAttribute(null=True)
    fire_at = UTCDateTimeAttribute(null=True)  # none: a relative reminder of a task without a due time
    sent_at = UTCDateTimeAttribute(null=True)
    claimed_until = UTCDateTimeAttribute(null=True)
    fire_minute = UnicodeAttribute(null=True)  # present only while unsent (sparse index)
    fire_sort = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default=utcnow)
    changed = UnicodeAttribute(default=changed_stamp)
    version = VersionAttribute()

    by_fire_minute = global_index("by-fire-minute", fire_minute=UnicodeAttribute, fire_sort=UnicodeAttribute)

    def schedule(self) -> None:
        """Set the index keys from `fire_at` (unsent), or clear them (sent, or nothing to fire at)."""
        if self.fire_at is None or self.sent_at is not None:
            self.fire_minute = self.fire_sort = None
            return
        self.fire_minute = fire_bucket(self.fire_at)
        self.fire_sort = f"{due_key(self.fire_at)}#{self.owner}#{self.reminder_id}"


def fire_bucket(moment: datetime) -> str:
    """The by-minute bucket of a moment: "YYYY-MM-DDTHH:MM" in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


# --- Shared lists -----------------------------------------------------------------------------------

ROLES = ("viewer", "editor")
INVITE_DAYS = 14
ACTIVITY_DAYS = 90


class ListMember(Model):
    """A user's membership of another's list as "viewer" or "editor": keyed by the member, so an access decision
    is one consistent GetItem (todos.selectors.sharing); the list's members are `by-list`. Nothing is copied."""

    class Meta(BaseMeta):
        table_name = table_name("todo-list-members")

    member = UnicodeAttribute(hash_key=True)
    list_id = UnicodeAttribute(range_key=True)
    owner = UnicodeAttribute()
    list_key = UnicodeAttribute()  # "<owner>#<list_id>"
    role = UnicodeAttribute()
    email = UnicodeAttribute()
    display_name = UnicodeAttribute()
    owner_name = UnicodeAttribute(default="")  # who shared it, as the invitation named them
    joined_at = UTCDateTimeAttribute(default=utcnow)
    joined = UnicodeAttribute(default=changed_stamp)  # the change stamp of joining: sync sends the list whole after it
    changed = UnicodeAttribute(default=changed_stamp)
    version = VersionAttribute()

    by_list = global_index("by-list", list_key=UnicodeAttribute, member=UnicodeAttribute)


class ListInvite(Model):
    """An invitation to a list for an email address (lower-cased), which whoever signs in with it may accept
    (the banner reads `by-email`; the owner's pending ones are `by-list`), until answered or expired."""

    class Meta(BaseMeta):
        table_name = table_name("todo-list-invites")

    invite_id = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()
    list_id = UnicodeAttribute()
    list_key = UnicodeAttribute()
    list_name = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    invited_by = UnicodeAttribute()  # the owner's display name, for the invitee
    created_at = UTCDateTimeAttribute(default=utcnow)
    expires_at = TTLAttribute()

    by_email = global_index("by-email", email=UnicodeAttribute, created_at=UTCDateTimeAttribute)
    by_list = global_index("by-list", list_key=UnicodeAttribute, created_at=UTCDateTimeAttribute)

    def is_gone(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or utcnow())


class ListActivity(Model):
    """One thing done on a shared list: who (`actor`), what (`action`), to which task (`subject`); kept 90 days."""

    class Meta(BaseMeta):
        table_name = table_name("todo-list-activity")

    list_key = UnicodeAttribute(hash_key=True)
    activity_key = UnicodeAttribute(range_key=True)  # "<change stamp>#<random>": newest last
    actor = UnicodeAttribute()
    actor_name = UnicodeAttribute()
    action = UnicodeAttribute()
    subject = UnicodeAttribute(default="")
    task_id = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute(default=utcnow)
    expires_at = TTLAttribute()
