from __future__ import annotations

from django.urls import path

from todos import views
from todos.views import sharing, trash
from todos.views.calendar import calendar_settings
from todos.views.reminders import reminder_add, reminder_remove, reminder_snooze

app_name = "todos"

urlpatterns = [
    path("", views.app_page, name="index"),
    path("today/", views.app_page, name="today"),
    path("calendar/", calendar_settings, name="calendar"),
    path("trash/", trash.trash_page, name="trash"),
    path("trash/restore", trash.trash_restore_each, name="trash-restore-each"),
    path("trash/<str:trash_id>/restore", trash.trash_restore, name="trash-restore"),
    path("trash/<str:trash_id>/delete", trash.trash_purge, name="trash-purge"),
    # A label may hold any character, "/" included (`path`, not `str`).
    path("labels/<path:label>/", views.app_page, name="label"),
    path("lists/new", views.list_create, name="list-create"),
    path("lists/<str:list_id>/", views.app_page, name="list"),
    path("lists/<str:list_id>/delete", views.list_delete, name="list-delete"),
    path("lists/<str:list_id>/toggle-all", views.list_toggle_all, name="toggle-all"),
    path("lists/<str:list_id>/clear-completed", views.list_clear_completed, name="clear-completed"),
    path("lists/<str:list_id>/reorder", views.list_reorder, name="reorder"),
    path("tasks/new", views.task_create, name="task-create"),
    path("tasks/quick-preview", views.task_quick_preview, name="task-quick-preview"),
    path("tasks/<str:task_id>/subtasks", views.subtask_create, name="subtask-create"),
    path("tasks/<str:task_id>/toggle", views.task_toggle, name="task-toggle"),
    path("tasks/<str:task_id>/reopen", views.task_reopen, name="task-reopen"),
    path("tasks/<str:task_id>/move", views.task_move, name="task-move"),
    path("tasks/<str:task_id>/title", views.task_title, name="task-title"),
    path("tasks/<str:task_id>/details", views.task_details, name="task-details"),
    path("tasks/<str:task_id>/delete", views.task_delete, name="task-delete"),
    path("tasks/<str:task_id>/up", views.task_move_up, name="task-up"),
    path("tasks/<str:task_id>/down", views.task_move_down, name="task-down"),
    path(
        "tasks/<str:task_id>/attachments/<str:attachment_id>/delete", views.attachment_delete, name="attachment-delete"
    ),
    path(
        "tasks/<str:task_id>/attachments/<str:attachment_id>/download",
        views.attachment_download,
        name="attachment-download",
    ),
    path("tasks/<str:task_id>/reminders", reminder_add, name="reminder-add"),
    path("tasks/<str:task_id>/reminders/<str:reminder_id>/delete", reminder_remove, name="reminder-remove"),
    path("reminders/snooze/<str:token>", reminder_snooze, name="reminder-snooze"),
    path("lists/<str:list_id>/share", sharing.list_share, name="list-share"),
    path("lists/<str:list_id>/leave", sharing.list_leave, name="list-leave"),
    path("lists/<str:list_id>/members/<str:member>/role", sharing.member_role, name="member-role"),
    path("lists/<str:list_id>/members/<str:member>/remove", sharing.member_remove, name="member-remove"),
    path("lists/<str:list_id>/invites/<str:invite_id>/cancel", sharing.invite_cancel, name="invite-cancel"),
    path("invites/<str:invite_id>/", sharing.invite_page, name="invite"),
]
