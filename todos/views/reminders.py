"""Reminders in the browser: add and remove them in the details panel; snooze one from its email."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from mysite.decorators import login_required
from mysite.errors import ApplicationError
from todos import services as todos_services
from todos.errors import InvalidTask, OwnerOnly, ReminderLinkInvalid
from todos.services import reminders as services
from todos.views.pages import render_app, request_state, run_action


def _reminder_input(post) -> dict:
    """The add form: a date-time ("at"), or minutes before the due time ("offset_minutes")."""
    at_text, offset_text = (post.get("at") or "").strip(), (post.get("offset_minutes") or "").strip()
    if at_text:
        at = parse_datetime(at_text) if len(at_text) <= 40 else None
        if not isinstance(at, datetime):
            raise InvalidTask("Give the reminder's date and time.", field="at")
        return {"at": at}
    if offset_text:
        if not offset_text.isdigit() or len(offset_text) > 6:
            raise InvalidTask("Minutes before the due time are a whole number.", field="offset_minutes")
        return {"offset_minutes": int(offset_text)}
    raise InvalidTask("Give a date and time, or choose minutes before the due time.", field="at")


def _owners_task(request: HttpRequest, task_id: str) -> None:
    """Reminders are the task's owner's: a member of its shared list is refused (403), anyone else gets a 404."""

    def owner_only(owner: str) -> None:
        if owner != request.user.sub:
            raise OwnerOnly("Reminders are its owner's; a shared list's members cannot set them.")
        services.reminders_task_get(owner=owner, task_id=task_id)

    todos_services.on_task(user=request.user, task_id=task_id, run=owner_only, edit=False)


@login_required
@require_POST
def reminder_add(request: HttpRequest, task_id: str) -> HttpResponse:
    """Add a reminder to a task from its details panel; a refused one is said at its form, what was typed kept."""

    def add() -> None:
        _owners_task(request, task_id)  # another user's task is a 404 before any form message
        services.reminder_create(
            owner=request.user.sub,
            task_id=task_id,
            fallback_time_zone=request.POST.get("time_zone"),  # the browser's, filled in by todos.js
            **_reminder_input(request.POST),
        )

    def at_the_form(error: ApplicationError) -> HttpResponse | None:
        if not {"at", "offset_minutes"} & set(error.fields):
            return None  # not the form's (a member's 403): the app's own answer
        typed = {"reminder_at": request.POST.get("at", "")[:40], "reminder_offset": request.POST.get("offset_minutes")}
        state = replace(request_state(request), open=task_id)
        return render_app(request, state=state, error=error, typed={task_id: typed}, extra={"error_in_place": True})

    return run_action(request, add, in_place=at_the_form)


@login_required
@require_POST
def reminder_remove(request: HttpRequest, task_id: str, reminder_id: str) -> HttpResponse:
    """Remove a reminder from the details panel."""

    def remove() -> None:
        _owners_task(request, task_id)
        services.reminder_delete(owner=request.user.sub, task_id=task_id, reminder_id=reminder_id)

    return run_action(request, remove)


@require_http_methods(["GET", "POST"])
def reminder_snooze(request: HttpRequest, token: str) -> HttpResponse:
    """The email's snooze link: GET shows the button (and changes nothing); POST snoozes the reminder an hour."""
    try:
        reminder = services.snooze_target(token)
        if request.method == "POST":
            reminder = services.reminder_snooze(token=token)
            context = {"snoozed": reminder, "when": services.reminder_when(reminder), "token": token}
            return render(request, "todos/reminder_snooze.html", context)
    except ReminderLinkInvalid as error:
        return render(request, "todos/reminder_snooze.html", {"error": error}, status=400)
    return render(
        request,
        "todos/reminder_snooze.html",
        {"reminder": reminder, "token": token, "minutes": services.SNOOZE_MINUTES},
    )
