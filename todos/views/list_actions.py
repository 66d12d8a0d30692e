"""Todos list actions: add, delete, reorder, toggle all, clear completed; each answers with the `#todo-app` fragment.

A shared list's actions go through `services.on_list` like the owner's: its editors change its tasks,
only its owner deletes it (todos.views.actions has the task actions and the helpers both share).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from mysite.decorators import login_required
from mysite.errors import ApplicationError
from mysite.idempotency import form_once
from todos import selectors, services
from todos.errors import OwnerOnly
from todos.views.actions import _mine, _on_list, _restore_undo
from todos.views.pages import CLEAR_UNDO_MAX, PageState, Undo, render_app, run_action


@login_required
@require_POST
def list_create(request: HttpRequest) -> HttpResponse:
    """Add a list and show it."""

    def create() -> str:
        return services.list_create(
            owner=request.user.sub, name=request.POST.get("name", ""), colour=request.POST.get("colour", "grey")
        ).list_id

    try:
        list_id = form_once(request, create)  # a double click or a retry shows the list made the first time
    except ApplicationError as error:
        # Said by the sidebar's form, with the name typed kept; not in the list panel, a screen away on a phone.
        typed = {"name": request.POST.get("name", "")[:200], "colour": request.POST.get("colour", "")}
        return render_app(request, error=error, extra={"error_in_place": True, "new_list_typed": typed})
    return render_app(request, state=PageState(list_id=list_id))


@login_required
@require_POST
def list_delete(request: HttpRequest, list_id: str) -> HttpResponse:
    """Delete a list with its tasks (to the Trash); back to the Inbox, with an Undo."""

    def delete(owner: str) -> Undo:
        name = selectors.list_get(owner=owner, list_id=list_id).name
        if not _mine(request, owner):
            raise OwnerOnly()
        trash_id = services.list_delete(owner=owner, list_id=list_id)
        return _restore_undo(trash_id, name, what="List deleted", focus=f"nav-list-{list_id}")

    return run_action(request, lambda: _on_list(request, list_id, delete), state=PageState())


def _list_action(
    request: HttpRequest, list_id: str, change: Callable[[str], object], *, note: str | None = None
) -> HttpResponse:
    """Run `change(owner)` on one of the user's lists or one they edit; anyone else's (or no) list is a 404."""

    def checked(owner: str) -> object:
        selectors.list_get(owner=owner, list_id=list_id)
        return change(owner)

    return run_action(request, lambda: _on_list(request, list_id, checked, note=note))


@login_required
@require_POST
def list_reorder(request: HttpRequest, list_id: str) -> HttpResponse:
    """Drag and drop: the ids in their new order take the list's positions in order."""
    ids = request.POST.getlist("ids")

    def reorder(owner: str) -> None:
        # Only the tasks being moved are read (their positions are shuffled among them), never the whole list.
        by_id = {t.task_id: t for t in selectors.tasks_by_ids(owner=owner, task_ids=ids) if t.list_id == list_id}
        moving = [by_id[i] for i in ids if i in by_id]
        positions = sorted(t.position for t in moving)
        items = [{"id": t.task_id, "position": p} for t, p in zip(moving, positions, strict=True)]
        if items:
            services.tasks_reorder(owner=owner, items=items)

    return _list_action(request, list_id, reorder)


@login_required
@require_POST
def list_toggle_all(request: HttpRequest, list_id: str) -> HttpResponse:
    """Toggle all: complete every task, or reopen all when all are done."""

    def toggle_all(owner: str) -> None:
        # Any open task: complete them all (the open side only is read); none: reopen the done ones.
        any_open = bool(selectors.open_tasks_page(owner=owner, list_id=list_id, limit=1)[0])
        services.tasks_set_done(owner=owner, list_id=list_id, done=any_open)

    return _list_action(request, list_id, toggle_all, note="toggled all tasks")


@login_required
@require_POST
def list_clear_completed(request: HttpRequest, list_id: str) -> HttpResponse:
    """Move the list's completed tasks to the Trash, each its own entry, with an Undo that brings them all back."""

    def clear(owner: str) -> Undo | None:
        selectors.list_get(owner=owner, list_id=list_id)
        trash_ids = services.tasks_clear_completed(owner=owner, list_id=list_id)
        if not trash_ids or len(trash_ids) > CLEAR_UNDO_MAX or not _mine(request, owner):
            return None  # more than an Undo restores at once (or a member's, in the owner's Trash): each is there
        what = f"{len(trash_ids)} completed task{'s' if len(trash_ids) != 1 else ''}"
        return Undo(
            message=f"Cleared: {what}",
            undone=f"Restored: {what}",
            url=reverse("todos:trash-restore-each"),
            values={"ids": ",".join(trash_ids)},
        )

    return run_action(request, lambda: _on_list(request, list_id, clear, note="cleared the completed tasks"))
