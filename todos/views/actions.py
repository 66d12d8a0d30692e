"""Todos actions: every POST changes something through a service and answers with the `#todo-app` fragment."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from mysite.constants import TIME_ZONES
from mysite.decorators import login_required
from mysite.errors import ApplicationError
from mysite.idempotency import form_once
from todos import selectors, services
from todos.errors import InvalidTask, SharingRuleBroken, StaleDetails, StaleTitle, TaskRuleBroken, VersionConflict
from todos.quickadd import recurrence_from_words
from todos.recurrence import recurrence_clean
from todos.services.quick import task_quick_add
from todos.views.pages import Undo, render_app, request_state, run_action

SHARED_STAYS = "A shared list's tasks stay in it; only its owner can move them to another list."


def _restore_undo(
    trash_id: str, name: str, *, what: str = "Deleted", focus: str = "new-todo", shared_list: str | None = None
) -> Undo:
    """The Undo of a move to the Trash; `shared_list`: the list a member deleted from (the Trash is its owner's)."""
    url = reverse("todos:trash-restore", args=[trash_id])
    if shared_list:
        url = f"{url}?{urlencode({'list_id': shared_list})}"
    return Undo(message=f"{what}: {name}", undone=f"Restored: {name}", url=url, focus=focus)


def _mine(request: HttpRequest, owner: str) -> bool:
    """Whether `owner`'s partition (the one a task or list was found on) is the signed-in user's own."""
    return owner == request.user.sub


def _on_task(request: HttpRequest, task_id: str, run, *, edit: bool = True, note: str | None = None):
    """`run(owner)` on the user's task or one in a list shared with them (`services.on_task`)."""
    return services.on_task(user=request.user, task_id=task_id, run=run, edit=edit, note=note)


def _on_list(request: HttpRequest, list_id: str, run, *, edit: bool = True, note: str | None = None):
    """`run(owner)` on the user's list or one shared with them (`services.on_list`)."""
    return services.on_list(user=request.user, list_id=list_id, run=run, edit=edit, note=note)


@login_required
@require_POST
def task_create(request: HttpRequest) -> HttpResponse:
    """Add a task from the words typed (quick add) to the list (or view) on screen."""
    state = request_state(request)
    text = request.POST.get("title", "").strip()
    if not text:
        return render_app(request, state=state)  # TodoMVC: an empty entry adds nothing
    options: dict = {"owner": request.user.sub, "text": text, "fallback_time_zone": request.POST.get("time_zone")}
    if state.kind == "today":
        options["default_due"] = datetime.now(UTC).date()
    elif state.kind == "label":
        options["default_labels"] = (state.label,)
    else:
        # A shared list's task is added on its owner's partition, read in the member's time zone; its
        # "#name" names no list (it would be one of the owner's other lists).
        def add(owner: str):
            if state.list_id != "inbox":
                selectors.list_get(owner=owner, list_id=state.list_id)  # a list shared with the user: on to its owner
            member = None if _mine(request, owner) else request.user.sub
            return task_quick_add(**{**options, "owner": owner, "by": member, "list_id": state.list_id})[0]

        def create() -> str:
            return _on_list(request, state.list_id, add, note="added").task_id

        return run_action(request, lambda: form_once(request, create), state=state)
    # A double click or a retry of the same form adds the task once.
    return run_action(request, lambda: form_once(request, lambda: task_quick_add(**options)[0].task_id), state=state)


@login_required
@require_POST
def subtask_create(request: HttpRequest, task_id: str) -> HttpResponse:
    """Add a subtask under a task."""
    title = request.POST.get("title", "").strip()
    if not title:
        return render_app(request)

    def create(owner: str):
        selectors.task_get(owner=owner, task_id=task_id)  # another user's (or no) task: 404, not an in-app error
        return services.task_create(owner=owner, title=title, parent_id=task_id)

    return run_action(request, lambda: _on_task(request, task_id, create, note="added"))


@login_required
@require_POST
def task_toggle(request: HttpRequest, task_id: str) -> HttpResponse:
    """Complete or reopen a task."""

    def toggle() -> Undo | None:
        task = _on_task(request, task_id, lambda owner: selectors.task_get(owner=owner, task_id=task_id), edit=False)
        if task.done:
            _on_task(
                request,
                task_id,
                lambda owner: services.task_reopen(owner=owner, task_id=task_id),
                note="reopened",
            )
            return None
        completed = _on_task(
            request, task_id, lambda owner: services.task_complete(owner=owner, task_id=task_id), note="completed"
        )
        if not completed.done:
            return None  # a recurring task moved to its next occurrence: nothing to reopen
        url = reverse("todos:task-reopen", args=[task_id])
        title = task.title
        return Undo(message=f"Completed: {title}", undone=f"Reopened: {title}", url=url, focus=f"toggle-{task_id}")

    return run_action(request, toggle)


@login_required
@require_POST
def task_reopen(request: HttpRequest, task_id: str) -> HttpResponse:
    """Undo a completion: the task (and only it) open again."""

    def reopen() -> None:
        _on_task(request, task_id, lambda owner: services.task_reopen(owner=owner, task_id=task_id), note="reopened")

    return run_action(request, reopen)


@login_required
@require_POST
def task_move(request: HttpRequest, task_id: str) -> HttpResponse:
    """Undo a move: back to the list (and position) it came from."""
    raw = request.POST.get("position", "").strip()
    list_id = request.POST.get("list_id", "")

    def move(owner: str):
        task = selectors.task_get(owner=owner, task_id=task_id)
        try:
            position = float(raw) if raw else None
        except ValueError:
            raise InvalidTask("A position is a number.", field="position") from None
        if not _mine(request, owner) and list_id != task.list_id:
            raise SharingRuleBroken(SHARED_STAYS, field="list_id")
        return services.task_move(owner=owner, task_id=task_id, list_id=list_id, position=position)

    return run_action(request, lambda: _on_task(request, task_id, move, note="moved"))


@login_required
@require_POST
def task_title(request: HttpRequest, task_id: str) -> HttpResponse:
    """Save an inline edit; an emptied title deletes the task (TodoMVC).

    The edit carries the version it was made on: a stale one (the task changed in another tab) changes
    nothing and says so, repeating the title typed.
    """
    title = request.POST.get("title", "").strip()
    version = _form_version(request.POST.get("version", ""))
    undo = None

    def delete(owner: str) -> Undo | None:
        task = selectors.task_get(owner=owner, task_id=task_id)
        old = task.title
        trash_id = services.task_delete(owner=owner, task_id=task_id, expected_version=version)
        shared_list = None if _mine(request, owner) else task.list_id  # the owner's Trash, reached through the list
        return _restore_undo(trash_id, old, focus=f"toggle-{task_id}", shared_list=shared_list)

    def rename(owner: str):
        return services.task_update(owner=owner, task_id=task_id, title=title, expected_version=version)

    try:
        if not title:
            undo = _on_task(request, task_id, delete, note="deleted")
        else:
            _on_task(request, task_id, rename, note="renamed")
    except VersionConflict:
        return render_app(request, error=StaleTitle(title=title))
    except ApplicationError as error:
        if error.status == 404 and not request.htmx:
            raise
        return render_app(request, error=error)
    return render_app(request, undo=undo)


def _form_version(value: str) -> int | None:
    """The version a form was rendered with; none (or a malformed one) checks nothing."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


@login_required
@require_POST
def task_delete(request: HttpRequest, task_id: str) -> HttpResponse:
    """Delete a task (and its subtasks and files) to the Trash, with an Undo."""
    state = request_state(request)
    if state.open == task_id:
        state.open = ""

    def delete(owner: str) -> Undo | None:
        task = selectors.task_get(owner=owner, task_id=task_id)
        title = task.title
        trash_id = services.task_delete(owner=owner, task_id=task_id)
        shared_list = None if _mine(request, owner) else task.list_id  # the owner's Trash, reached through the list
        return _restore_undo(trash_id, title, focus=f"toggle-{task_id}", shared_list=shared_list)

    return run_action(request, lambda: _on_task(request, task_id, delete, note="deleted"), state=state)


def _due_from_form(post) -> dict:
    day, at, zone = post.get("due_date", "").strip(), post.get("due_time", "").strip(), post.get("due_timezone", "")
    if not day:
        return {"due_date": None, "due_datetime": None, "due_timezone": None}
    try:
        parsed_day = date.fromisoformat(day)
        parsed_time = time.fromisoformat(at) if at else None
    except ValueError:
        raise InvalidTask("Use a valid date and time.", field="due_date") from None
    if parsed_time is None:
        return {"due_date": parsed_day, "due_datetime": None, "due_timezone": None}
    return {
        "due_date": None,
        "due_datetime": datetime.combine(parsed_day, parsed_time),
        "due_timezone": zone.strip() or "UTC",
    }


def _details_typed(post) -> dict:
    """The details form as typed, to show again (with its messages) when it is refused."""
    return {
        "notes": post.get("notes", ""),
        "due_date": post.get("due_date", "").strip(),
        "due_time": post.get("due_time", "").strip(),
        "due_timezone": post.get("due_timezone", "").strip(),
        "priority": post.get("priority", "1").strip(),
        "labels": post.get("labels", ""),
        # The Repeat field takes words ("every weekday") as quick add reads them, or an RRULE.
        "recurrence": _typed_rule(post.get("recurrence", "").strip()),
        "list_id": post.get("list_id", ""),
        "version": post.get("version", "").strip(),
    }


def _typed_rule(text: str) -> str:
    """The RRULE of a Repeat field's words (what the field shows for a rule it can say in words); else the text."""
    return recurrence_from_words(text) or text


def _details_changes(typed: dict) -> dict:
    """The task_update arguments of the details form; one InvalidTask naming every bad field."""
    problems: dict[str, list[str]] = {}
    changes: dict = {"notes": typed["notes"], "labels": [x for x in typed["labels"].split(",") if x.strip()]}
    # The version the form was rendered with: a save from a stale tab is a conflict, not an overwrite.
    version = _form_version(typed["version"])
    if version is not None:
        changes["expected_version"] = version
    elif typed["version"]:
        problems["version"] = ["This form is out of date; reload the task."]
    priority = typed["priority"]
    # ASCII digits only: "²".isdigit() is true, but int() refuses it.
    if priority.isascii() and priority.isdigit() and 1 <= int(priority) <= 4:
        changes["priority"] = int(priority)
    else:
        problems["priority"] = ["Priority is P1 (normal) to P4 (urgent)."]
    try:
        changes["recurrence"] = recurrence_clean(typed["recurrence"])
    except (InvalidTask, TaskRuleBroken) as error:
        problems["recurrence"] = [error.message]
    if typed["due_timezone"] and typed["due_timezone"] not in TIME_ZONES:
        problems["due_timezone"] = ["Unknown time zone; use an IANA name such as Europe/Paris."]
    try:
        changes.update(_due_from_form(typed))
    except InvalidTask as error:
        problems["due_date"] = [error.message]
    if problems:
        raise InvalidTask("Some details need fixing; nothing was saved.", fields=problems)
    return changes


@login_required
@require_POST
def task_details(request: HttpRequest, task_id: str) -> HttpResponse:
    """Save the details panel: notes, due, priority, labels, recurrence and the list.

    A refused save keeps the panel open with what was typed and a message at each bad field. A save
    from a stale form (the task was saved elsewhere since, e.g. in another tab) changes nothing: the
    panel shows the saved details and, beside them, what was typed, ready to save instead.
    """
    typed = _details_typed(request.POST)

    def save(owner: str):
        task = selectors.task_get(owner=owner, task_id=task_id)  # another user's (or no) task: not a form message
        changes = _details_changes(typed)
        moving = typed["list_id"] and typed["list_id"] != task.list_id and not task.parent_id
        if moving:  # a move that would be refused is refused before anything is saved
            if not _mine(request, owner):
                raise SharingRuleBroken(SHARED_STAYS, field="list_id")
            services.task_move_check(owner=owner, list_id=typed["list_id"])
        task = services.task_update(owner=owner, task_id=task_id, **changes)
        if moving:
            came_from, position = task.list_id, task.position
            moved = services.task_move(owner=owner, task_id=task_id, list_id=typed["list_id"])
            to = selectors.list_get(owner=owner, list_id=moved.list_id).name
            return Undo(
                message=f"Moved to {to}: {task.title}",
                undone=f"Moved back: {task.title}",
                url=reverse("todos:task-move", args=[task_id]),
                values={"list_id": came_from, "position": repr(float(position))},
            )
        return task

    try:
        saved = _on_task(request, task_id, save, note="edited")
        undo = saved if isinstance(saved, Undo) else None
    except ApplicationError as error:
        if error.status == 404 and not request.htmx:
            raise
        state = request_state(request)
        state.open = task_id
        if isinstance(error, VersionConflict):
            return render_app(request, state=state, error=StaleDetails(), typed={task_id: typed}, conflict=True)
        return render_app(request, state=state, error=error, typed={task_id: typed})
    return render_app(request, undo=undo)


def _neighbour_swap(request: HttpRequest, task_id: str, step: int) -> None:
    """Swap a task's position with its neighbour `step` away, in its list (the user's own or shared)."""

    def swap(owner: str) -> None:
        task = selectors.task_get(owner=owner, task_id=task_id)
        other = selectors.task_neighbour(task=task, step=step)
        if other is not None:
            services.tasks_reorder(
                owner=owner,
                items=[
                    {"id": task.task_id, "position": other.position},
                    {"id": other.task_id, "position": task.position},
                ],
            )

    _on_task(request, task_id, swap)


@login_required
@require_POST
def task_move_up(request: HttpRequest, task_id: str) -> HttpResponse:
    """Keyboard reordering: swap with the task above."""
    return run_action(request, lambda: _neighbour_swap(request, task_id, -1))


@login_required
@require_POST
def task_move_down(request: HttpRequest, task_id: str) -> HttpResponse:
    """Keyboard reordering: swap with the task below."""
    return run_action(request, lambda: _neighbour_swap(request, task_id, +1))


@login_required
@require_POST
def attachment_delete(request: HttpRequest, task_id: str, attachment_id: str) -> HttpResponse:
    """Remove an attachment and its file."""

    def remove(owner: str) -> None:
        selectors.task_get(owner=owner, task_id=task_id)
        services.attachment_delete(owner=owner, task_id=task_id, attachment_id=attachment_id)

    return run_action(request, lambda: _on_task(request, task_id, remove))


@login_required
@require_GET
def attachment_download(request: HttpRequest, task_id: str, attachment_id: str) -> HttpResponse:
    """Redirect to a short-lived presigned URL for the file."""

    def read(owner: str):
        selectors.task_get(owner=owner, task_id=task_id)
        return selectors.attachment_get(owner=owner, task_id=task_id, attachment_id=attachment_id)

    attachment = _on_task(request, task_id, read, edit=False)
    return redirect(services.attachment_download_url(attachment=attachment))
