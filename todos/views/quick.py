"""The new-task box's live reading: the words typed, with what quick add understood highlighted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mysite.decorators import login_required
from todos.quickadd import QuickAdd
from todos.services.quick import quick_add_preview

MAX_PREVIEW = 500
KIND_NAMES = {
    "due": "date",
    "time": "time",
    "list": "list",
    "label": "label",
    "priority": "priority",
    "recurrence": "repeat",
    "literal": "kept as typed",
}


def _pieces(text: str, parsed: QuickAdd) -> list[dict]:
    """The text cut at the tokens' spans: plain runs and tokens, in order."""
    pieces, at = [], 0
    for token in sorted(parsed.tokens, key=lambda t: t.start):
        if token.start > at:
            pieces.append({"text": text[at : token.start], "kind": ""})
        pieces.append({"text": token.text, "kind": token.kind, "name": KIND_NAMES[token.kind]})
        at = token.end
    if at < len(text):
        pieces.append({"text": text[at:], "kind": ""})
    return pieces


@login_required
@require_GET
def task_quick_preview(request: HttpRequest) -> HttpResponse:
    """The reading of `title` as the new-task box would add it (creates nothing; for htmx)."""
    text = request.GET.get("title", "")[:MAX_PREVIEW]
    context: dict = {"text": text}
    if text.strip():
        parsed = quick_add_preview(
            owner=request.user.sub,
            text=text,
            fallback_time_zone=request.GET.get("time_zone") or None,
            read_lists=not request.GET.get("shared"),  # a list shared with the user: "#name" stays in the title
        )
        context.update(parsed=parsed, pieces=_pieces(text, parsed))
    response = render(request, "todos/_quick_preview.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
