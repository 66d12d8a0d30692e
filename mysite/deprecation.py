"""Earlier API routes kept for one release (docs/api-conventions.md, "Migrating from the earlier routes").

A route whose path alone changed answers `308` to its successor (`moved_to`); a route whose method
changed keeps answering and points at its successor (`DeprecatedAlias`). Both are pure (no state
across requests): right with any number of processes and threads.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt


def moved_to(url_name: str):
    """A view for an earlier path that only moved: 308 to the route named `url_name` (method and body kept)."""

    @csrf_exempt  # it changes nothing: the route it points to authenticates (and checks CSRF for sessions)
    def redirect(request: HttpRequest, **kwargs) -> HttpResponsePermanentRedirect:
        target = reverse(url_name, kwargs=kwargs)
        query = request.META.get("QUERY_STRING")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target, preserve_request=True)

    return redirect


class DeprecatedAlias:
    """A route kept for one release after its method changed: it answers as before, pointing at its successor.

    Every answer carries `Deprecation: true` and `Link: <successor>; rel="successor-version"`.
    """

    successor_name = ""  # the URL name of the route that replaces it

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Deprecation"] = "true"
        response["Link"] = f'<{reverse(self.successor_name, kwargs=kwargs)}>; rel="successor-version"'
        return response
