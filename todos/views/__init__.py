"""The TodoMVC-style browser UI: full pages on GET, the `#todo-app` fragment for htmx actions."""

from __future__ import annotations

from todos.views.actions import (
    attachment_delete,
    attachment_download,
    subtask_create,
    task_create,
    task_delete,
    task_details,
    task_move,
    task_move_down,
    task_move_up,
    task_reopen,
    task_title,
    task_toggle,
)
from todos.views.list_actions import list_clear_completed, list_create, list_delete, list_reorder, list_toggle_all
from todos.views.pages import app_page
from todos.views.quick import task_quick_preview

__all__ = [
    "app_page",
    "attachment_delete",
    "attachment_download",
    "list_clear_completed",
    "list_create",
    "list_delete",
    "list_reorder",
    "list_toggle_all",
    "subtask_create",
    "task_create",
    "task_delete",
    "task_details",
    "task_move",
    "task_move_down",
    "task_move_up",
    "task_quick_preview",
    "task_reopen",
    "task_title",
    "task_toggle",
]
