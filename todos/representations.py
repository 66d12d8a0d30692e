"""Plain-dict views of the models: the API's response bodies and the `current` item in a 409."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from todos.models import Attachment, ListActivity, ListInvite, ListMember, Task, TodoList, TrashItem


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def list_as_dict(todo_list: TodoList) -> dict:
    return {
        "id": todo_list.list_id,
        "name": todo_list.name,
        "colour": todo_list.colour,
        "position": todo_list.position,
        "archived": todo_list.archived,
        "member_count": int(todo_list.member_count or 0),
        "created_at": _iso(todo_list.created_at),
        "updated_at": _iso(todo_list.updated_at),
        "version": todo_list.version,
    }


def task_due_datetime_local(task: Task):
    """The due instant in the time zone the user gave it in."""
    if task.due_datetime is None:
        return None
    return task.due_datetime.astimezone(ZoneInfo(task.due_timezone or "UTC"))


def task_as_dict(task: Task) -> dict:
    local = task_due_datetime_local(task)
    return {
        "id": task.task_id,
        "list_id": task.list_id,
        "parent_id": task.parent_id,
        "title": task.title,
        "notes": task.notes,
        "done": task.done,
        "completed_at": _iso(task.completed_at),
        "due_date": task.due_date or (local.date().isoformat() if local else None),
        "due_datetime": local.isoformat() if local else None,
        "due_timezone": task.due_timezone,
        "priority": int(task.priority),
        "labels": list(task.labels or []),
        "position": task.position,
        "recurrence": task.recurrence,
        "completions": [_iso(c) for c in task.completions or []],
        "created_at": _iso(task.created_at),
        "updated_at": _iso(task.updated_at),
        "version": task.version,
    }


def attachment_as_dict(attachment: Attachment) -> dict:
    return {
        "id": attachment.attachment_id,
        "task_id": attachment.task_id,
        "file_name": attachment.file_name,
        "size": int(attachment.size),
        "content_type": attachment.content_type,
        "key": attachment.s3_key,
        "state": attachment.current_state(),
        "is_image": attachment.content_type.startswith("image/"),
        "created_at": _iso(attachment.created_at),
        "version": attachment.version,
    }


def trash_entry_as_dict(entry: TrashItem) -> dict:
    """A Trash entry: what was deleted, when, and until when it can be restored."""
    return {
        "id": entry.trash_key,
        "kind": entry.kind,
        "item_id": entry.item_id,
        "title": entry.title or "",
        "list_id": entry.list_id,
        "deleted_at": entry.deleted,
        "expires_at": _iso(entry.expires_at),
    }


def reminder_as_dict(reminder) -> dict:
    """A todos.models.Reminder."""
    return {
        "id": reminder.reminder_id,
        "task_id": reminder.task_id,
        "kind": reminder.kind,
        "at": _iso(reminder.at),
        "offset_minutes": None if reminder.offset_minutes is None else int(reminder.offset_minutes),
        "fire_at": _iso(reminder.fire_at),
        "sent_at": _iso(reminder.sent_at),
        "created_at": _iso(reminder.created_at),
        "version": reminder.version,
    }


def invite_as_dict(invite: ListInvite) -> dict:
    return {
        "id": invite.invite_id,
        "list_id": invite.list_id,
        "list_name": invite.list_name,
        "email": invite.email,
        "role": invite.role,
        "invited_by": invite.invited_by,
        "created_at": _iso(invite.created_at),
        "expires_at": _iso(invite.expires_at),
    }


def member_as_dict(member: ListMember, *, with_email: bool) -> dict:
    """A member of a list; their email only for the list's owner."""
    return {
        "id": member.member,
        "display_name": member.display_name,
        "email": member.email if with_email else None,
        "role": member.role,
        "joined_at": _iso(member.joined_at),
    }


def shared_list_as_dict(todo_list: TodoList, membership: ListMember) -> dict:
    return {
        "list": list_as_dict(todo_list),
        "role": membership.role,
        "owner_name": membership.owner_name,
        "joined_at": _iso(membership.joined_at),
    }


def activity_as_dict(activity: ListActivity) -> dict:
    return {
        "actor_id": activity.actor,
        "actor_name": activity.actor_name,
        "action": activity.action,
        "subject": activity.subject,
        "task_id": activity.task_id,
        "at": _iso(activity.at),
    }
