"""Todos pages: the page state from the URL, the app context, and the GET views."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlparse
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from mysite.decorators import login_required
from mysite.errors import ApplicationError
from todos import selectors, services
from todos.errors import ListNotFound
from todos.services.attachments import INLINE_TYPES
from todos.services.reminders import OFFSET_CHOICES, reminder_zone, reminder_zone_set, reminders_panel
from todos.services.task_fields import task_due_datetime_local
from todos.views.panels import app_sharing, banner, list_sharing

FILTERS = ("all", "active", "completed")
# Tasks are shown a page at a time (each side of a list, Today, a label), further pages by cursor.
PAGE = 50


LIST_GONE = "This list was deleted, or is no longer shared with you."
UNDO_SECONDS = 10
CLEAR_UNDO_MAX = 100  # Trash entries the Undo of "clear completed" restores in one request


@dataclass
class Undo:
    """The toast after a delete, a completion or a move: what happened, and the POST that takes it back.

    `focus` is the id of the control that gets focus once it is undone.
    """

    message: str
    url: str
    undone: str = ""  # what the live region says once it is undone
    values: dict[str, str] = field(default_factory=dict)
    focus: str = "new-todo"
    seconds: int = UNDO_SECONDS

    @property
    def values_json(self) -> str:
        """`values` for htmx's hx-vals (the template escapes it for the attribute)."""
        return json.dumps(self.values)


@dataclass
class PageState:
    """What the user is looking at: read from the page URL (the browser's, for htmx requests)."""

    kind: str = "list"
    list_id: str = "inbox"
    label: str = ""
    filter: str = "all"
    open: str = ""
    cursor: str = ""
    share: str = ""  # "1": the list's sharing panel is open

    def url(self, **changes) -> str:
        state = PageState(**{**self.__dict__, **changes})
        if state.kind == "today":
            path = reverse("todos:today")
        elif state.kind == "label":
            path = reverse("todos:label", args=[state.label])
        else:
            path = reverse("todos:list", args=[state.list_id])
        pairs = (("filter", state.filter), ("open", state.open), ("cursor", state.cursor), ("share", state.share))
        query = {k: v for k, v in pairs if v and v != "all"}
        return f"{path}?{urlencode(query)}" if query else path


def state_from_url(url: str) -> PageState:
    """The page state a todos URL describes (the Inbox for anything else)."""
    parsed = urlparse(url or "")
    try:
        match = resolve(parsed.path or "/todos/")
    except Resolver404:
        return PageState()
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    state = PageState(
        filter=query.get("filter", "all"),
        open=query.get("open", ""),
        cursor=query.get("cursor", ""),
        share="1" if query.get("share") == "1" else "",
    )
    if state.filter not in FILTERS:
        state.filter = "all"
    if match.url_name == "today":
        state.kind = "today"
    elif match.url_name == "label":
        state.kind, state.label = "label", match.kwargs["label"]
    elif match.url_name == "list":
        state.list_id = match.kwargs["list_id"]
    if state.kind != "list":
        state.share = ""
    return state


def request_state(request: HttpRequest) -> PageState:
    """The state of the page the request came from."""
    if request.method == "GET":
        return state_from_url(request.get_full_path())
    current = request.headers.get("HX-Current-URL") or request.META.get("HTTP_REFERER", "")
    return state_from_url(current)


def _due_label(task, today: date) -> str:
    local = task_due_datetime_local(task)
    day = local.date() if local else date.fromisoformat(task.due_date) if task.due_date else None
    if day is None:
        return ""
    names = {today: "Today", today + timedelta(days=1): "Tomorrow", today - timedelta(days=1): "Yesterday"}
    text = names.get(day) or day.strftime("%a %-d %b" + (" %Y" if day.year != today.year else ""))
    if local:
        text += local.strftime(" %H:%M") + ("" if local.tzinfo == ZoneInfo("UTC") else f" {local.tzname()}")
    return text


def _item(task, *, now_key: str, today: date, subtasks=(), list_names=None) -> dict:
    return {
        "task": task,
        "subtasks": [_item(s, now_key=now_key, today=today) for s in subtasks],
        "overdue": not task.done and task.due_sort < now_key,
        "due_label": _due_label(task, today),
        "list_name": (list_names or {}).get(task.list_id, ""),
    }


def _details(owner: str, task, *, reminders: bool = True) -> dict:
    """The details panel of `task` (on `owner`'s partition); `reminders` only for the task's owner."""
    attachments = []
    for attachment in selectors.attachments_of(owner=owner, task_id=task.task_id):
        thumbnail = None
        # Only images safe to show in place (not SVG): the thumbnail's URL also opens on its own.
        kind = attachment.content_type.split(";")[0].strip().lower()
        if attachment.state == "ready" and kind.startswith("image/") and kind in INLINE_TYPES:
            thumbnail = services.attachment_download_url(attachment=attachment, inline=True)
        attachments.append({"attachment": attachment, "thumbnail": thumbnail, "state": attachment.current_state()})
    local = task_due_datetime_local(task)
    return {
        "attachments": attachments,
        "reminders": reminders_panel(owner=owner, task=task) if reminders else [],
        "reminder_offsets": OFFSET_CHOICES,
        "reminder_zone": reminder_zone(owner=owner, task=task).key if reminders else "",
        # No zone of the task's or the profile's: the browser's is meant (todos.js names it in the label).
        "reminder_zone_browser": reminders and reminder_zone_set(owner=owner, task=task) is None,
        "notes": task.notes or "",
        "due_date": task.due_date or (local.date().isoformat() if local else ""),
        "due_time": local.strftime("%H:%M") if local else "",
        "due_timezone": task.due_timezone or "",
        "priority": str(task.priority),
        "labels": ", ".join(task.labels or []),
        "recurrence": task.recurrence or "",
        "list_id": task.list_id,
        "version": str(task.version or ""),
        "errors": {},
    }


# The details form's fields as the conflict panel names them.
DETAIL_FIELDS = (
    ("notes", "Notes"),
    ("due_date", "Due date"),
    ("due_time", "Due time"),
    ("due_timezone", "Time zone"),
    ("priority", "Priority"),
    ("labels", "Labels"),
    ("recurrence", "Repeat"),
    ("list_id", "List"),
)


def _stale_details(details: dict, typed: dict, list_names: dict) -> dict:
    """A stale save: the form keeps the saved values; what was typed (where it differs) is shown beside them."""

    def shown(field: str, value: str) -> str:
        return list_names.get(value, value) if field == "list_id" else value

    differences = [
        {"field": field, "label": label, "saved": shown(field, details[field]), "typed": shown(field, typed[field])}
        for field, label in DETAIL_FIELDS
        if typed.get(field, "").strip() != str(details[field]).strip() and (field != "list_id" or typed[field])
    ]
    mine = {**typed, "version": details["version"]}
    return {"differences": differences, "typed": mine}


def app_context(
    user,
    state: PageState,
    *,
    error: ApplicationError | None = None,
    typed: dict[str, dict] | None = None,
    conflict: bool = False,
    notice: str = "",
) -> dict:
    """Everything `_app.html` shows for `state`; `typed` = a refused details form to show again, by task id.

    With `conflict` (the form was stale) the form shows the saved details and `typed` goes beside them.
    A list shared with the user is read from its owner's partition (`access.owner`); `notice` is a
    sharing form's confirmation.
    """
    owner = user.sub
    lists = selectors.lists_of(owner=owner)
    if not any(x.list_id == "inbox" for x in lists):
        services.inbox_ensure(owner=owner)
        lists = selectors.lists_of(owner=owner)
    list_names = {x.list_id: x.name for x in lists}
    now = datetime.now(UTC)
    now_key, today = now.strftime("%Y-%m-%dT%H:%M:%SZ"), now.date()
    counts = selectors.counts_of(owner=owner)
    context = {
        "state": state,
        "lists": lists,
        "labels": counts.labels,
        "today_count": counts.today(today),
        "error": error,
        "filters": [(f, f.capitalize(), state.url(filter=f, open="", cursor="")) for f in FILTERS],
        "colours": services.COLOURS,
        "notice": notice,
        "access": None,
        "can_edit": True,
        "mine": True,
        **app_sharing(user),
    }
    cursor = state.cursor or None
    if state.kind == "list":
        # The sidebar's Query holds the list already; an archived one (not in the sidebar) is read on its own.
        current = next((x for x in lists if x.list_id == state.list_id), None)
        if current is None:
            access = selectors.list_access(actor=owner, list_id=state.list_id)
            current = selectors.list_get(owner=access.owner, list_id=state.list_id)
        else:
            access = selectors.Access(actor=owner, owner=owner, list_id=state.list_id, role="owner")
        context.update(list_sharing(user, access, current, state))
        data = access.owner  # the partition the list's tasks are on
        if data != owner:
            counts = selectors.counts_of(owner=data)
        # One page of at most PAGE tasks, by cursor: neither the open tasks nor the done history is read whole.
        # "Active" and "Completed" page through their side; "All" shows the open tasks first and fills the
        # rest of its page with the first done ones, each side with its own way on.
        open_tasks, done, open_next, done_next = [], [], None, None
        has_completed = False
        if state.filter != "completed":
            open_tasks, open_next = selectors.open_tasks_page(
                owner=data, list_id=state.list_id, limit=PAGE, cursor=cursor if state.filter == "active" else None
            )
        if state.filter == "completed":
            done, done_next = selectors.done_tasks_page(owner=data, list_id=state.list_id, limit=PAGE, cursor=cursor)
        elif state.filter == "all" and len(open_tasks) < PAGE:
            room = PAGE - len(open_tasks)
            done, done_next = selectors.done_tasks_page(owner=data, list_id=state.list_id, limit=room)
        else:
            # Only whether there is any (for "Clear completed" and the way to them): one item of the done side.
            first_done, _ = selectors.done_tasks_page(owner=data, list_id=state.list_id, limit=1)
            has_completed = bool(first_done)
            if has_completed and state.filter == "all":
                done_next = ""  # the done side from its start
        tasks = [*open_tasks, *done]
        shown = {t.task_id for t in tasks}
        children: dict[str, list] = {}
        for task in sorted(tasks, key=lambda t: (t.position, t.task_id)):
            if task.parent_id in shown:
                children.setdefault(task.parent_id, []).append(task)
        # In position order, done tasks in place (TodoMVC's "All"), whichever side they were read from.
        top = sorted((t for t in tasks if t.parent_id not in shown), key=lambda t: (t.position, t.task_id))
        left = counts.left.get(state.list_id, 0)
        context.update(title=current.name, current_list=current, left=left)
        context["has_completed"] = has_completed or bool(done)
        context["total"] = len(top) + left + int(context["has_completed"])
        if open_next:
            context["next_open_url"] = state.url(filter="active", cursor=open_next, open="")
        if done_next is not None:
            context["next_url"] = state.url(filter="completed", cursor=done_next, open="")
        context["items"] = [_item(t, now_key=now_key, today=today, subtasks=children.get(t.task_id, ())) for t in top]
    else:
        if state.kind == "today":
            found, next_cursor = selectors.today_page(owner=owner, today=today, limit=PAGE, cursor=cursor)
            title = "Today"
            left = counts.today(today)
        else:
            done = {"all": None, "active": False, "completed": True}[state.filter]
            found, next_cursor = selectors.label_page(
                owner=owner, label=state.label, done=done, limit=PAGE, cursor=cursor
            )
            title = f"@{state.label}"
            left = dict(counts.labels).get(state.label, 0)
        visible = [t for t in found if state.filter == "all" or (t.done == (state.filter == "completed"))]
        context.update(title=title, current_list=None, left=left, has_completed=any(t.done for t in found))
        context["total"] = len(found) + left + int(bool(next_cursor))
        if next_cursor:
            context["next_open_url"] = state.url(cursor=next_cursor, open="")
        context["items"] = [_item(t, now_key=now_key, today=today, list_names=list_names) for t in visible]
    for item in context["items"]:
        item["open_url"] = state.url(open=item["task"].task_id)
        item["close_url"] = state.url(open="")
        if item["task"].task_id == state.open:
            item["details"] = _details(item["task"].owner, item["task"], reminders=context["mine"])
            if typed and state.open in typed and conflict:
                item["details"]["stale"] = _stale_details(item["details"], typed[state.open], list_names)
            elif typed and state.open in typed:
                item["details"].update(typed[state.open], errors=error.fields if error else {})
    return context


def render_app(
    request: HttpRequest,
    *,
    state: PageState | None = None,
    error: ApplicationError | None = None,
    typed: dict[str, dict] | None = None,
    conflict: bool = False,
    undo: Undo | None = None,
    notice: str = "",
    error_status: bool = False,
    extra: dict | None = None,
) -> HttpResponse:
    """The `#todo-app` fragment for htmx, or back to the page for a plain form post.

    A plain form post refused with what was typed (`typed`) gets the whole page, so nothing typed is lost.
    `undo` shows the toast that takes the action back; `notice` says what a sharing form did, `extra`
    is more for the template (what a refused sharing form had typed).
    A refusal answers with its own status (and the message in the app, which todos.js swaps in)
    when it is a 403 or with `error_status`: the sharing forms' refusals, and a viewer's writes.
    """
    state = state or request_state(request)
    error_status = bool(error) and (error_status or error.status == 403)
    if not request.htmx and not typed and not error_status:
        return redirect(state.url())
    try:
        context = app_context(request.user, state, error=error, typed=typed, conflict=conflict, notice=notice)
    except ListNotFound:
        if state.kind != "list":
            raise
        # The page's list went away under the user (deleted, or no longer shared with them): their Inbox, saying so.
        state, error, error_status = PageState(), ListNotFound(LIST_GONE), True
        context = app_context(request.user, state, error=error)
    context["undo"] = None if error else undo
    context.update(extra or {})
    template = "todos/_app.html" if request.htmx else "todos/index.html"
    if not request.htmx:
        context.update(banner(request.user))
    status = 200 if request.htmx and not error_status else (error.status if error else 400)
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"
    if state != request_state(request):
        # The action moved the page (a new list, a deleted one): the address follows, so the
        # next form on it (the new-task box) posts to what is shown, and Back works.
        push_url(response, state.url())
    return response


def run_action(request: HttpRequest, action, *, state: PageState | None = None, in_place=None) -> HttpResponse:
    """Run a service call; show a refused one in the app instead of a blank error page.

    An action that returns an `Undo` gets its toast. Another user's task or list (a 404) is the
    site's error page for a plain form post; a viewer's write (a 403) answers 403 either way.
    `in_place(error)` may answer a refusal itself (the form's message by the form), or return None.
    """
    try:
        result = action()
    except ApplicationError as error:
        if error.status == 404 and not request.htmx:
            raise
        if in_place is not None and (answer := in_place(error)) is not None:
            return answer
        return render_app(request, state=state, error=error)
    return render_app(request, state=state, undo=result if isinstance(result, Undo) else None)


# --- Pages ---------------------------------------------------------------------------------


def _page(request: HttpRequest, state: PageState) -> HttpResponse:
    context = app_context(request.user, state)
    template = "todos/_app.html" if request.htmx and not request.htmx.boosted else "todos/index.html"
    if template == "todos/index.html":
        context.update(banner(request.user))
    return render(request, template, context)


@login_required
@require_GET
def app_page(request: HttpRequest, **route: str) -> HttpResponse:
    """The Inbox, one list, Today or one label's tasks: `request_state` reads which from the URL."""
    return _page(request, request_state(request))
