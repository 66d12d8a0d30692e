"""View decorators for the Cognito user."""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control


def login_required(view):
    """Send anonymous visitors to sign in; signed-in pages are never stored by shared caches."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:sign-in')}?next={quote(request.get_full_path())}")
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return wrapper


def group_required(group: str):
    """Only members of `group`; everyone else gets 404, so the page's existence is not revealed."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.in_group(group):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
