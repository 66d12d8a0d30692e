"""The todos app's domain errors; mysite.errors maps them to HTTP."""

from __future__ import annotations

from mysite import errors
from mysite.errors import Conflict, Forbidden, InvalidInput, NotConfigured, NotFound, PayloadTooLarge, Unprocessable


class ListNotFound(NotFound):
    code, message = "list_not_found", "No such list."


class TaskNotFound(NotFound):
    code, message = "task_not_found", "No such task."


class AttachmentNotFound(NotFound):
    code, message = "attachment_not_found", "No such attachment."


class TrashNotFound(NotFound):
    code, message = "trash_not_found", "No such item in the Trash (restored, purged or expired)."


class TrashConflict(Conflict):
    code, message = "trash_conflict", "This item is being restored; try again in a moment."


class VersionConflict(errors.VersionConflict):
    message = "The item changed since you read it; the current version is included."


class StaleDetails(VersionConflict):
    message = (
        "This task was saved elsewhere (another tab or device) after you opened it, so nothing was saved. "
        "The form shows the saved details; what you typed is kept beside them."
    )


class StaleTitle(VersionConflict):
    def __init__(self, *, title: str):
        what = f"renamed to “{title}”" if title else "deleted"
        super().__init__(f"This task changed elsewhere (another tab or device), so it was not {what}. Try again.")


class InvalidTask(InvalidInput):
    code = "invalid"


class TaskRuleBroken(Unprocessable):
    code = "unprocessable"


class AttachmentTooLarge(PayloadTooLarge):
    code, message = "attachment_too_large", "Attachments can be at most 25 MB."


class UploadMissing(Unprocessable):
    code, message = "upload_missing", "The file has not been uploaded yet."


class UploadExpired(Unprocessable):
    code, message = "upload_expired", "The upload did not arrive in time; upload the file again."


class CredentialsNotConfigured(NotConfigured):
    code, message = "not_configured", "Temporary AWS credentials are not configured here (no Cognito identity pool)."


class CalendarFeedNotFound(NotFound):
    code, message = "calendar_feed_not_found", "No such calendar feed (the link was revoked or regenerated)."


class ReminderNotFound(NotFound):
    code, message = "reminder_not_found", "No such reminder."


class ReminderLinkInvalid(InvalidInput):
    code, message = "invalid_link", "This snooze link is not valid or has expired."


class ViewerCannotEdit(Forbidden):
    code, message = "forbidden", "You can view this shared list but not change it; ask its owner to make you an editor."


class OwnerOnly(Forbidden):
    code, message = "forbidden", "Only the list's owner can do this."


class InviteNotFound(NotFound):
    code, message = "invite_not_found", "No such invitation (it was accepted, declined, cancelled or has expired)."


class MemberNotFound(NotFound):
    code, message = "member_not_found", "No such member of this list."


class SharingRuleBroken(Unprocessable):
    code = "unprocessable"
