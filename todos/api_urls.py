from __future__ import annotations

from django.urls import path

from todos.apis import account, attachments, calendar, lists, quick, reminders, sharing, tasks, trash

app_name = "todos-api"

urlpatterns = [
    path("lists", lists.ListsApi.as_view(), name="lists"),
    path("lists/<str:list_id>", lists.ListApi.as_view(), name="list"),
    path("lists/<str:list_id>/calendar-feed", calendar.ListCalendarFeedApi.as_view(), name="list-calendar-feed"),
    path("lists/<str:list_id>/invitations", sharing.ListInvitesApi.as_view(), name="list-invites"),
    path("lists/<str:list_id>/invitations/<str:invite_id>", sharing.ListInviteApi.as_view(), name="list-invite"),
    path("lists/<str:list_id>/members", sharing.ListMembersApi.as_view(), name="list-members"),
    path("lists/<str:list_id>/members/<str:member>", sharing.ListMemberApi.as_view(), name="list-member"),
    path("lists/<str:list_id>/activity", sharing.ListActivityApi.as_view(), name="list-activity"),
    path("shared-lists", sharing.SharedListsApi.as_view(), name="shared-lists"),
    path("invitations", sharing.MyInvitesApi.as_view(), name="invites"),
    path("invitations/<str:invite_id>/accept", sharing.InviteAcceptApi.as_view(), name="invite-accept"),
    path("invitations/<str:invite_id>/decline", sharing.InviteDeclineApi.as_view(), name="invite-decline"),
    path("tasks", tasks.TasksApi.as_view(), name="tasks"),
    path("tasks/reorder", tasks.TaskReorderApi.as_view(), name="tasks-reorder"),
    path("tasks/quick", quick.TaskQuickAddApi.as_view(), name="tasks-quick"),
    path("tasks/<str:task_id>", tasks.TaskApi.as_view(), name="task"),
    path("tasks/<str:task_id>/complete", tasks.TaskCompleteApi.as_view(), name="task-complete"),
    path("tasks/<str:task_id>/reopen", tasks.TaskReopenApi.as_view(), name="task-reopen"),
    path("tasks/<str:task_id>/move", tasks.TaskMoveApi.as_view(), name="task-move"),
    path("tasks/<str:task_id>/attachments", attachments.AttachmentsApi.as_view(), name="attachments"),
    path("tasks/<str:task_id>/attachments/<str:attachment_id>", attachments.AttachmentApi.as_view(), name="attachment"),
    path(
        "tasks/<str:task_id>/attachments/<str:attachment_id>/complete",
        attachments.AttachmentCompleteApi.as_view(),
        name="attachment-complete",
    ),
    path(
        "tasks/<str:task_id>/attachments/<str:attachment_id>/download",
        attachments.AttachmentDownloadApi.as_view(),
        name="attachment-download",
    ),
    path("trash", trash.TrashListApi.as_view(), name="trash"),
    path("trash/<str:trash_id>", trash.TrashItemApi.as_view(), name="trash-item"),
    path("trash/<str:trash_id>/restore", trash.TrashRestoreApi.as_view(), name="trash-restore"),
    path("labels", account.LabelListApi.as_view(), name="labels"),
    path("sync", account.SyncApi.as_view(), name="sync"),
    path("credentials", account.CredentialsApi.as_view(), name="credentials"),
    path("calendar-feed", calendar.UserCalendarFeedApi.as_view(), name="calendar-feed"),
    path("calendar/<str:token>.ics", calendar.CalendarFeedIcsApi.as_view(), name="calendar-feed-ics"),
    path("tasks/<str:task_id>/reminders", reminders.RemindersApi.as_view(), name="reminders"),
    path("tasks/<str:task_id>/reminders/<str:reminder_id>", reminders.ReminderApi.as_view(), name="reminder"),
]
