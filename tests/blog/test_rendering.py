"""Markdown rendering and sanitising: nothing executable survives, images become responsive."""

from __future__ import annotations

import uuid

import pytest

from blog.rendering import excerpt_from, render_markdown
from tests.conftest import live_server

NO_IMAGES = {}


def render(body: str, renditions: dict | None = None) -> str:
    return render_markdown(body, renditions_for=lambda ids: renditions or NO_IMAGES)


def test_scripts_event_handlers_and_javascript_urls_are_removed():
    html = render(
        "Hello <script>alert('x')</script>\n\n"
        '<img src="x.png" onerror="alert(1)"> <a href="javascript:alert(1)" onmouseover="x()">link</a>\n\n'
        "[md link](javascript:alert(2)) [data](data:text/html;base64,PHNjcmlwdD4=)\n\n"
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>'
        '<svg onload="alert(3)"></svg><form action="/x"><input name="a"></form>'
    )
    lowered = html.lower()
    for forbidden in (
        "<script",
        "alert('x')",
        "onerror",
        "onmouseover",
        "onload",
        "javascript:",
        "data:text",
        "<iframe",
        "<style",
        "<svg",
        "<form",
        "<input",
    ):
        assert forbidden not in lowered, forbidden
    assert '<img src="x.png">' in html
    assert ">link</a>" in html


def test_markdown_features_render():
    html = render("# Title\n\n*em* **strong** `code`\n\n```python\nprint(1)\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert '<code class="language-python">print(1)' in html
    assert "<td>1</td>" in html


def test_links_get_rel_noopener():
    assert 'rel="noopener noreferrer nofollow"' in render("[site](https://example.com)")


def test_image_references_become_pictures_with_srcset_and_lazy_loading():
    image_id = "ab" * 16
    renditions = {
        image_id: [
            {"width": 320, "height": 200, "key": "media/blog/h-320.webp", "type": "image/webp"},
            {"width": 320, "height": 200, "key": "media/blog/h-320.jpg", "type": "image/jpeg"},
            {"width": 640, "height": 400, "key": "media/blog/h-640.webp", "type": "image/webp"},
            {"width": 640, "height": 400, "key": "media/blog/h-640.jpg", "type": "image/jpeg"},
        ]
    }
    html = render(f'![A "cat"](image:{image_id})', renditions)
    assert '<source type="image/webp" srcset="/media/blog/h-320.webp 320w, /media/blog/h-640.webp 640w"' in html
    assert 'srcset="/media/blog/h-320.jpg 320w, /media/blog/h-640.jpg 640w"' in html
    assert 'alt="A &quot;cat&quot;"' in html
    assert 'loading="lazy"' in html
    assert 'width="640" height="400"' in html


def test_cdn_domain_is_used_for_image_urls(settings):
    settings.CDN_DOMAIN = "cdn.example.net"
    image_id = "cd" * 16
    renditions = {image_id: [{"width": 320, "height": 200, "key": "media/blog/h-320.jpg", "type": "image/jpeg"}]}
    assert 'src="https://cdn.example.net/media/blog/h-320.jpg"' in render(f"![x](image:{image_id})", renditions)


def test_unknown_image_reference_renders_its_alt_text():
    assert render(f"![missing one](image:{'ef' * 16})") == '<p><span class="missing-image">missing one</span></p>'


def test_excerpt_takes_the_first_words_as_plain_text():
    assert excerpt_from("<p>Hello <b>big</b> world</p>", words=2) == "Hello big…"
    assert excerpt_from("<p>Short</p>") == "Short"


# --- Thread safety -----------------------------------------------------------------------
# Markdown keeps parse state (references, footnotes, abbreviations, the HTML stash) between
# calls; each document below leans on all of it, with its own number in every part.


def stateful_document(number: int) -> str:
    return (
        f"# Document {number}\n\n"
        f"Intro {number} with a [reference link][ref{number}], a footnote[^note{number}] "
        f"and the abbreviation DOC{number}.\n\n"
        f'<div markdown="1">Raw block {number} with *emphasis {number}*</div>\n\n'
        f"| column {number} | value |\n|---|---|\n| row {number} | {number * 7} |\n\n"
        f"```python\nprint({number})\n```\n\n"
        + "".join(f'- item {number}.{i} -- "quoted {i}"\n' for i in range(number % 5 + 1))
        + f"\n[ref{number}]: https://example.com/{number}\n"
        f"[^note{number}]: Footnote text {number}.\n"
        f"*[DOC{number}]: Document number {number}\n"
    )


def test_forty_documents_rendered_in_parallel_threads_each_match_their_sequential_render():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    documents = [stateful_document(n) for n in range(40)]
    expected = [render(document) for document in documents]
    assert len(set(expected)) == 40
    assert all(f"Footnote text {n}." in html and f"https://example.com/{n}" in html for n, html in enumerate(expected))
    start = threading.Barrier(8, timeout=30)

    def render_repeatedly(worker: int) -> list[tuple[int, str]]:
        start.wait()  # every thread renders at the same moment
        return [(n, render(documents[n])) for _ in range(3) for n in range(worker, 40, 8)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [pair for batch in pool.map(render_repeatedly, range(8), timeout=120) for pair in batch]
    assert len(results) == 120
    wrong = [n for n, html in results if html != expected[n]]
    assert wrong == []


@pytest.fixture
def threaded_server_url(local_stack):
    """The site on Django's threaded live server: one thread per request, as on a threaded origin."""
    with live_server() as url:
        yield url


def test_posts_created_in_parallel_through_the_threaded_server_each_store_their_own_html(threaded_server_url, author):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from blog import selectors

    token = author.access_token
    documents = {f"Parallel {uuid.uuid4().hex[:8]} {n}": stateful_document(n) for n in range(18)}

    def create(title: str) -> dict:
        response = requests.post(
            f"{threaded_server_url}/api/blog/admin/posts",
            json={"title": title, "body_markdown": documents[title]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        assert response.status_code == 201, response.text[:300]
        return response.json()

    with ThreadPoolExecutor(max_workers=6) as pool:
        created = list(pool.map(create, documents, timeout=180))
    assert len({post["id"] for post in created}) == 18
    for post in created:
        own_html = render(documents[post["title"]])
        assert post["body_html"] == own_html
        assert selectors.post_get(post_id=post["id"]).body_html == own_html
