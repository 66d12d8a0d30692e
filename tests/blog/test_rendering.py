"""Markdown rendering and sanitising: nothing executable survives, images become responsive."""

from __future__ import annotations

from blog.rendering import excerpt_from, render_markdown

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
