"""The TodoMVC-style browser UI: full pages on GET, the `#todo-app` fragment for htmx actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlencode, urlparse
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_GET, require_POST

from mysite import storage
from mysite.decorators import login_required
from mysite.errors import DomainError
from todos import selectors, services
from todos.errors import InvalidTask
from todos.representations import task_due_datetime_local
from todos.selectors import TaskQuery

FILTERS = ("all", "active", "completed")


@dataclass
class PageState:
    """What the user is looking at: read from the page URL (the browser's, for htmx requests)."""

    kind: str = "list"
    list_id: str = "inbox"
    label: str = ""
    filter: str = "all"
    open: str = ""

    def url(self, **changes) -> str:
        state = PageState(**{**self.__dict__, **changes})
        if state.kind == "today":
            path = reverse("todos:today")
        elif state.kind == "label":
            path = reverse("todos:label", args=[state.label])
        else:
            path = reverse("todos:list", args=[state.list_id])
        query = {k: v for k, v in (("filter", state.filter), ("open", state.open)) if v and v != "all"}
        return f"{path}?{urlencode(query)}" if query else path


def state_from_url(url: str) -> PageState:
    parsed = urlparse(url or "")
    try:
        match = resolve(parsed.path or "/todos/")
    except Resolver404:
        return PageState()
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    state = PageState(filter=query.get("filter", "all"), open=query.get("open", ""))
    if state.filter not in FILTERS:
        state.filter = "all"
    if match.url_name == "today":
        state.kind = "today"
    elif match.url_name == "label":
        state.kind, state.label = "label", match.kwargs["label"]
    elif match.url_name == "list":
        state.list_id = match.kwargs["list_id"]
    return state


def _request_state(request: HttpRequest) -> PageState:
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


def _details(owner: str, task) -> dict:
    attachments = []
    for attachment in selectors.attachments_of(owner=owner, task_id=task.task_id):
        thumbnail = None
        if attachment.state == "ready" and attachment.content_type.startswith("image/"):
            thumbnail = storage.presigned_get(key=attachment.s3_key, filename=attachment.file_name, inline=True)
        attachments.append({"attachment": attachment, "thumbnail": thumbnail})
    local = task_due_datetime_local(task)
    return {
        "attachments": attachments,
        "due_date": task.due_date or (local.date().isoformat() if local else ""),
        "due_time": local.strftime("%H:%M") if local else "",
        "due_timezone": task.due_timezone or "",
        "labels": ", ".join(task.labels or []),
    }


def app_context(owner: str, state: PageState, *, error: DomainError | None = None) -> dict:
    lists = selectors.lists_of(owner=owner)
    if not any(x.list_id == "inbox" for x in lists):
        services.inbox_ensure(owner=owner)
        lists = selectors.lists_of(owner=owner)
    list_names = {x.list_id: x.name for x in lists}
    now = datetime.now(UTC)
    now_key, today = now.strftime("%Y-%m-%dT%H:%M:%SZ"), now.date()
    today_tasks = _today_tasks(owner, today)
    context = {
        "state": state,
        "lists": lists,
        "labels": selectors.labels_with_counts(owner=owner),
        "today_count": len(today_tasks),
        "error": error,
        "filters": [(f, f.capitalize(), state.url(filter=f, open="")) for f in FILTERS],
        "colours": services.COLOURS,
    }
    if state.kind == "list":
        current = selectors.list_get(owner=owner, list_id=state.list_id)
        tasks = selectors.tasks_of_list(owner=owner, list_id=state.list_id)
        children: dict[str, list] = {}
        for task in tasks:
            if task.parent_id:
                children.setdefault(task.parent_id, []).append(task)
        top = [t for t in tasks if not t.parent_id]
        context.update(title=current.name, current_list=current, total=len(top))
        context["left"] = sum(1 for t in top if not t.done)
        context["has_completed"] = any(t.done for t in tasks)
        visible = [t for t in top if state.filter == "all" or (t.done == (state.filter == "completed"))]
        context["items"] = [
            _item(t, now_key=now_key, today=today, subtasks=children.get(t.task_id, ())) for t in visible
        ]
    else:
        if state.kind == "today":
            found, title = today_tasks, "Today"
        else:
            found, _ = selectors.task_search(owner=owner, query=TaskQuery(label=state.label, sort="due"), limit=200)
            title = f"@{state.label}"
        top = found
        context.update(title=title, current_list=None, total=len(top), has_completed=any(t.done for t in top))
        context["left"] = sum(1 for t in top if not t.done)
        visible = [t for t in top if state.filter == "all" or (t.done == (state.filter == "completed"))]
        context["items"] = [_item(t, now_key=now_key, today=today, list_names=list_names) for t in visible]
    for item in context["items"]:
        item["open_url"] = state.url(open=item["task"].task_id)
        item["close_url"] = state.url(open="")
        if item["task"].task_id == state.open:
            item["details"] = _details(owner, item["task"])
    return context


def _today_tasks(owner: str, today: date) -> list:
    """Open tasks due today or before (Todoist's Today)."""
    overdue, _ = selectors.task_search(owner=owner, query=TaskQuery(overdue=True, sort="due"), limit=200)
    due_today, _ = selectors.task_search(owner=owner, query=TaskQuery(today=today, done=False, sort="due"), limit=200)
    seen = {t.task_id for t in overdue}
    return overdue + [t for t in due_today if t.task_id not in seen]


def _app(request: HttpRequest, *, state: PageState | None = None, error: DomainError | None = None) -> HttpResponse:
    """The `#todo-app` fragment for htmx, or back to the page for a plain form post."""
    state = state or _request_state(request)
    if not request.htmx:
        return redirect(state.url())
    response = render(request, "todos/_app.html", app_context(request.user.sub, state, error=error))
    response["Cache-Control"] = "private, no-store"
    return response


def _attempt(request: HttpRequest, action, *, state: PageState | None = None) -> HttpResponse:
    """Run a service call; show a refused one in the app instead of a blank error page."""
    try:
        action()
    except DomainError as error:
        if error.status == 404 and not request.htmx:
            raise
        return _app(request, state=state, error=error)
    return _app(request, state=state)


# --- Pages ---------------------------------------------------------------------------------


def _page(request: HttpRequest, state: PageState) -> HttpResponse:
    context = app_context(request.user.sub, state)
    template = "todos/_app.html" if request.htmx and not request.htmx.boosted else "todos/index.html"
    return render(request, template, context)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(request, _request_state(request))


@login_required
@require_GET
def list_page(request: HttpRequest, list_id: str) -> HttpResponse:
    return _page(request, _request_state(request))


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    return _page(request, _request_state(request))


@login_required
@require_GET
def label(request: HttpRequest, label: str) -> HttpResponse:
    return _page(request, _request_state(request))


# --- Actions ---------------------------------------------------------------------------------


@login_required
@require_POST
def list_create(request: HttpRequest) -> HttpResponse:
    holder = {}

    def create():
        holder["list"] = services.list_create(
            owner=request.user.sub, name=request.POST.get("name", ""), colour=request.POST.get("colour", "grey")
        )

    try:
        create()
    except DomainError as error:
        return _app(request, error=error)
    return _app(request, state=PageState(list_id=holder["list"].list_id))


@login_required
@require_POST
def list_delete(request: HttpRequest, list_id: str) -> HttpResponse:
    return _attempt(request, lambda: services.list_delete(owner=request.user.sub, list_id=list_id), state=PageState())


@login_required
@require_POST
def task_create(request: HttpRequest) -> HttpResponse:
    state = _request_state(request)
    title = request.POST.get("title", "").strip()
    if not title:
        return _app(request, state=state)  # TodoMVC: an empty entry adds nothing
    owner = request.user.sub
    if state.kind == "today":
        action = lambda: services.task_create(owner=owner, title=title, due_date=datetime.now(UTC).date())  # noqa: E731
    elif state.kind == "label":
        action = lambda: services.task_create(owner=owner, title=title, labels=[state.label])  # noqa: E731
    else:
        action = lambda: services.task_create(owner=owner, title=title, list_id=state.list_id)  # noqa: E731
    return _attempt(request, action, state=state)


@login_required
@require_POST
def subtask_create(request: HttpRequest, task_id: str) -> HttpResponse:
    title = request.POST.get("title", "").strip()
    if not title:
        return _app(request)
    return _attempt(request, lambda: services.task_create(owner=request.user.sub, title=title, parent_id=task_id))


@login_required
@require_POST
def task_toggle(request: HttpRequest, task_id: str) -> HttpResponse:
    owner = request.user.sub

    def toggle():
        task = selectors.task_get(owner=owner, task_id=task_id)
        if task.done:
            services.task_reopen(owner=owner, task_id=task_id)
        else:
            services.task_complete(owner=owner, task_id=task_id)

    return _attempt(request, toggle)


@login_required
@require_POST
def task_title(request: HttpRequest, task_id: str) -> HttpResponse:
    """Save an inline edit; an emptied title deletes the task (TodoMVC)."""
    title = request.POST.get("title", "").strip()
    owner = request.user.sub
    if not title:
        return _attempt(request, lambda: services.task_delete(owner=owner, task_id=task_id))
    return _attempt(request, lambda: services.task_update(owner=owner, task_id=task_id, title=title))


@login_required
@require_POST
def task_delete(request: HttpRequest, task_id: str) -> HttpResponse:
    state = _request_state(request)
    if state.open == task_id:
        state.open = ""
    return _attempt(request, lambda: services.task_delete(owner=request.user.sub, task_id=task_id), state=state)


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


@login_required
@require_POST
def task_details(request: HttpRequest, task_id: str) -> HttpResponse:
    """Save the details panel: notes, due, priority, labels, recurrence and the list."""
    owner, post = request.user.sub, request.POST

    def save():
        priority = post.get("priority", "1")
        task = services.task_update(
            owner=owner,
            task_id=task_id,
            notes=post.get("notes", ""),
            priority=int(priority) if priority.isdigit() else -1,
            labels=[x for x in post.get("labels", "").split(",") if x.strip()],
            recurrence=post.get("recurrence", "") or None,
            **_due_from_form(post),
        )
        if post.get("list_id") and post["list_id"] != task.list_id and not task.parent_id:
            services.task_move(owner=owner, task_id=task_id, list_id=post["list_id"])

    return _attempt(request, save)


def _neighbour_swap(owner: str, task_id: str, step: int) -> None:
    task = selectors.task_get(owner=owner, task_id=task_id)
    siblings = [t for t in selectors.tasks_of_list(owner=owner, list_id=task.list_id) if t.parent_id == task.parent_id]
    index = next(i for i, t in enumerate(siblings) if t.task_id == task_id)
    other = index + step
    if 0 <= other < len(siblings):
        a, b = siblings[index], siblings[other]
        services.tasks_reorder(
            owner=owner, items=[{"id": a.task_id, "position": b.position}, {"id": b.task_id, "position": a.position}]
        )


@login_required
@require_POST
def task_move_up(request: HttpRequest, task_id: str) -> HttpResponse:
    return _attempt(request, lambda: _neighbour_swap(request.user.sub, task_id, -1))


@login_required
@require_POST
def task_move_down(request: HttpRequest, task_id: str) -> HttpResponse:
    return _attempt(request, lambda: _neighbour_swap(request.user.sub, task_id, +1))


@login_required
@require_POST
def list_reorder(request: HttpRequest, list_id: str) -> HttpResponse:
    """Drag and drop: the ids in their new order take the list's positions in order."""
    owner, ids = request.user.sub, request.POST.getlist("ids")

    def reorder():
        by_id = {t.task_id: t for t in selectors.tasks_of_list(owner=owner, list_id=list_id)}
        moving = [by_id[i] for i in ids if i in by_id]
        positions = sorted(t.position for t in moving)
        items = [{"id": t.task_id, "position": p} for t, p in zip(moving, positions, strict=True)]
        if items:
            services.tasks_reorder(owner=owner, items=items)

    return _attempt(request, reorder)


@login_required
@require_POST
def list_toggle_all(request: HttpRequest, list_id: str) -> HttpResponse:
    owner = request.user.sub

    def toggle_all():
        tasks = selectors.tasks_of_list(owner=owner, list_id=list_id)
        services.tasks_set_done(owner=owner, list_id=list_id, done=not all(t.done for t in tasks))

    return _attempt(request, toggle_all)


@login_required
@require_POST
def list_clear_completed(request: HttpRequest, list_id: str) -> HttpResponse:
    return _attempt(request, lambda: services.tasks_clear_completed(owner=request.user.sub, list_id=list_id))


@login_required
@require_POST
def attachment_delete(request: HttpRequest, task_id: str, attachment_id: str) -> HttpResponse:
    return _attempt(
        request,
        lambda: services.attachment_delete(owner=request.user.sub, task_id=task_id, attachment_id=attachment_id),
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, task_id: str, attachment_id: str) -> HttpResponse:
    attachment = selectors.attachment_get(owner=request.user.sub, task_id=task_id, attachment_id=attachment_id)
    return redirect(services.attachment_download_url(attachment=attachment))
