"""Writes of the todos app (one module per entity; re-exported here)."""

from __future__ import annotations

from todos.services.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_FILE_NAME,
    attachment_complete,
    attachment_delete,
    attachment_download_url,
    attachment_start,
    attachment_upload_received,
    attachments_purge,
)
from todos.services.credentials import credentials_for, identity_pool_configured, user_files_policy
from todos.services.lists import COLOURS, inbox_ensure, list_create, list_delete, list_update
from todos.services.shared_access import (
    activity_note,
    check_reference,
    new_task_owner,
    on_list,
    on_task,
    owner_for_tasks,
    task_activity_note,
    trash_restore_shared,
)
from todos.services.sharing import (
    MAX_MEMBERS,
    ROLES,
    invite_accept,
    invite_cancel,
    invite_decline,
    list_share,
    member_remove,
    member_role_set,
)
from todos.services.task_deletes import task_delete, tasks_clear_completed
from todos.services.tasks import (
    UNSET,
    task_complete,
    task_create,
    task_move,
    task_move_check,
    task_reopen,
    task_update,
    tasks_reorder,
    tasks_set_done,
)
from todos.services.trash import TRASH_DAYS, trash_entry_get, trash_id_for
from todos.services.trash_restore import trash_expired_files_delete, trash_purge, trash_restore, trash_restore_each

__all__ = [
    "COLOURS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_FILE_NAME",
    "MAX_MEMBERS",
    "ROLES",
    "TRASH_DAYS",
    "UNSET",
    "activity_note",
    "attachment_complete",
    "attachment_delete",
    "attachment_download_url",
    "attachment_start",
    "attachment_upload_received",
    "attachments_purge",
    "check_reference",
    "credentials_for",
    "identity_pool_configured",
    "inbox_ensure",
    "invite_accept",
    "invite_cancel",
    "invite_decline",
    "list_create",
    "list_delete",
    "list_share",
    "list_update",
    "member_remove",
    "member_role_set",
    "new_task_owner",
    "on_list",
    "on_task",
    "owner_for_tasks",
    "task_activity_note",
    "task_complete",
    "task_create",
    "task_delete",
    "task_move",
    "task_move_check",
    "task_reopen",
    "task_update",
    "tasks_clear_completed",
    "tasks_reorder",
    "tasks_set_done",
    "trash_entry_get",
    "trash_expired_files_delete",
    "trash_id_for",
    "trash_purge",
    "trash_restore",
    "trash_restore_each",
    "trash_restore_shared",
    "user_files_policy",
]
