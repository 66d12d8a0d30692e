"""The Trash page: what was deleted in the last 30 days, a page at a time; restore or delete for good.

Restoring is also the Undo of a delete: from the app (htmx) it answers with the `#todo-app` fragment.
From the Trash page, Restore and Delete for good redirect back to it (Post/Redirect/Get) with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from mysite.decorators import login_required
from mysite.errors import ApplicationError, InvalidInput
from todos import selectors, services
from todos.views.pages import CLEAR_UNDO_MAX, PageState, render_app, request_state

TRASH_PAGE = 25


def _trash_page(request: HttpRequest, *, error: ApplicationError | None = None) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    try:
        entries, next_cursor = selectors.trash_page(owner=request.user.sub, limit=TRASH_PAGE, cursor=cursor)
    except ApplicationError as bad_cursor:
        entries, next_cursor, error = [], None, bad_cursor
    context = {
        "entries": entries,
        "next_url": f"{reverse('todos:trash')}?cursor={next_cursor}" if next_cursor else "",
        "error": error,
        "days": services.TRASH_DAYS,
        "title": "Trash",
    }
    response = render(request, "todos/trash.html", context, status=error.status if error else 200)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def trash_page(request: HttpRequest) -> HttpResponse:
    """The Trash, newest deletion first."""
    return _trash_page(request)


@login_required
@require_POST
def trash_restore(request: HttpRequest, trash_id: str) -> HttpResponse:
    """Restore an entry: the Undo of the app (htmx), or a Restore button of the Trash page."""
    owner = request.user.sub
    shared_list = request.GET.get("list_id")  # a member's Undo: the owner's Trash, through the list
    try:
        if shared_list:
            kind, item = services.trash_restore_shared(user=request.user, list_id=shared_list, trash_id=trash_id)
        else:
            kind, item = services.trash_restore(owner=owner, trash_id=trash_id)
    except ApplicationError as error:
        if request.htmx:
            return render_app(request, error=error)
        if error.status == 404:
            raise
        return _trash_page(request, error=error)
    if request.htmx:
        # An undone list delete shows the list again; an undone task delete stays where it was.
        return render_app(request, state=PageState(list_id=item.list_id) if kind == "list" else request_state(request))
    messages.success(request, f"Restored: {item.title if kind == 'task' else item.name}")
    return redirect("todos:trash")


@login_required
@require_POST
def trash_restore_each(request: HttpRequest) -> HttpResponse:
    """The Undo of "clear completed": restore the entries named in `ids` (comma-separated), in the app."""
    ids = [i for i in (request.POST.get("ids") or "").split(",") if i][: CLEAR_UNDO_MAX + 1]
    if not ids or len(ids) > CLEAR_UNDO_MAX:
        return render_app(request, error=InvalidInput(f"Name 1 to {CLEAR_UNDO_MAX} Trash entries.", field="ids"))
    services.trash_restore_each(owner=request.user.sub, trash_ids=ids)
    return render_app(request, state=request_state(request))


@login_required
@require_POST
def trash_purge(request: HttpRequest, trash_id: str) -> HttpResponse:
    """Delete an entry for good now."""
    try:
        entry = services.trash_entry_get(owner=request.user.sub, trash_id=trash_id)
        services.trash_purge(owner=request.user.sub, trash_id=trash_id)
    except ApplicationError as error:
        if error.status == 404:
            raise
        return _trash_page(request, error=error)
    messages.success(request, f"Deleted for good: {entry.title}")
    return redirect("todos:trash")
