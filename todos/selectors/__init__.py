"""Reads of the todos app; hot reads go through the read cache under the user's scope (mysite.cache).

Split by what they read: lists and counters, tasks, attachments and the Trash, sync.
"""

from __future__ import annotations

from todos.selectors._common import MAX_PAGE, SORTS
from todos.selectors.files import attachment_get, attachments_of, attachments_of_tasks, trash_page
from todos.selectors.lists import Counts, counts_of, labels_with_counts, list_get, lists_of
from todos.selectors.sharing import (
    Access,
    SharedList,
    activity_of,
    invite_get,
    invites_for,
    invites_of_list,
    list_access,
    members_of,
    membership_get,
    shared_with,
    task_access,
)
from todos.selectors.sync import SYNC_LAG, Changes, changes_since, sync_token, sync_token_decode
from todos.selectors.tasks import (
    LAST_DUE_KEY,
    TaskQuery,
    done_tasks_page,
    label_page,
    open_tasks_page,
    task_get,
    task_neighbour,
    task_search,
    tasks_by_ids,
    today_page,
)

__all__ = [
    "LAST_DUE_KEY",
    "MAX_PAGE",
    "SORTS",
    "SYNC_LAG",
    "Access",
    "Changes",
    "Counts",
    "SharedList",
    "TaskQuery",
    "activity_of",
    "attachment_get",
    "attachments_of",
    "attachments_of_tasks",
    "changes_since",
    "counts_of",
    "done_tasks_page",
    "invite_get",
    "invites_for",
    "invites_of_list",
    "label_page",
    "labels_with_counts",
    "list_access",
    "list_get",
    "lists_of",
    "members_of",
    "membership_get",
    "open_tasks_page",
    "shared_with",
    "sync_token",
    "sync_token_decode",
    "task_access",
    "task_get",
    "task_neighbour",
    "task_search",
    "tasks_by_ids",
    "today_page",
    "trash_page",
]
