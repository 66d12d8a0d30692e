"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "user": getattr(request, "user", None),
        "debug_tools": settings.DEBUG,
        # Shared-cacheable pages must not read the session or the CSRF cookie.
        "public_page": getattr(request, "public_page", False),
    }
