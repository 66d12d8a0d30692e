"""Shared lists in the browser: the invitation page (from the emailed link or the banner)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mysite.decorators import login_required
from mysite.errors import DomainError
from todos import selectors, services


@login_required
@require_http_methods(["GET", "POST"])
def invite_page(request: HttpRequest, invite_id: str) -> HttpResponse:
    """An invitation addressed to the signed-in user: who shares which list, as what; Accept or Decline."""
    invite = selectors.invite_get(invite_id=invite_id, email=request.user.email)
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "decline":
                services.invite_decline(user=request.user, invite_id=invite_id)
                return redirect(reverse("todos:index"))
            membership = services.invite_accept(user=request.user, invite_id=invite_id)
        except DomainError as error:
            return render(request, "todos/invite.html", {"invite": invite, "error": error}, status=error.status)
        return redirect(reverse("todos:list", args=[membership.list_id]))
    response = render(request, "todos/invite.html", {"invite": invite, "title": "Invitation"})
    response["Cache-Control"] = "private, no-store"
    return response
