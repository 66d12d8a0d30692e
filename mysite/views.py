"""Site-wide pages: home, health check, and (in DEBUG) the local mailbox."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mysite.mail import mailbox_messages


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "mysite/home.html")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    """The emails the site sent locally (welcome emails, confirmation codes); DEBUG only."""
    if not settings.DEBUG or "mail" not in settings.EMAIL_BACKEND.lower():
        raise Http404
    to = request.GET.get("to", "").strip()
    return render(request, "mysite/mailbox.html", {"messages_sent": mailbox_messages(to=to or None), "to": to})
