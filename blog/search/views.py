"""The search pages: results for ?q= (also without JavaScript) and the live fragment the search box asks for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from blog.search.selectors import MAX_QUERY_CHARS, search_posts
from mysite.http import public_page

LIVE_RESULTS = 8


def _answer(request: HttpRequest, template: str, *, limit: int) -> HttpResponse:
    query = request.GET.get("q", "")
    if len(query) > MAX_QUERY_CHARS or "\x00" in query:
        context = {"query": "", "error": f"Search for at most {MAX_QUERY_CHARS} characters of text."}
        return render(request, template, context, status=400)
    results = search_posts(query=query, limit=limit)
    return render(request, template, {"query": query, "searched": bool(query.strip()), "results": results})


@public_page(max_age=30, s_maxage=60, stale_while_revalidate=30)
def search_page(request: HttpRequest) -> HttpResponse:
    return _answer(request, "blog_search/page.html", limit=20)


@public_page(max_age=30, s_maxage=60, stale_while_revalidate=30)
def search_live(request: HttpRequest) -> HttpResponse:
    return _answer(request, "blog_search/_results.html", limit=LIVE_RESULTS)
