"""The admin panel's front page: one section per role (authors, release managers)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from mysite.constants import GROUPS
from mysite.decorators import login_required

ADMIN_GROUPS = GROUPS


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if not any(request.user.in_group(group) for group in ADMIN_GROUPS):
        raise Http404  # the panel's existence is not revealed to others
    return render(request, "mysite/admin_index.html")
