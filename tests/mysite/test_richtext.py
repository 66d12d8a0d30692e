"""The one Markdown renderer and sanitiser every app uses."""

from __future__ import annotations

import threading

from mysite.richtext import markdown_to_html, plain_text, sanitize


def test_markdown_becomes_html():
    assert markdown_to_html("**bold** and *em*") == "<p><strong>bold</strong> and <em>em</em></p>"
    assert "<table>" in markdown_to_html("| a | b |\n|---|---|\n| 1 | 2 |")


def test_scripts_handlers_and_javascript_links_are_dropped():
    html = markdown_to_html('<script>alert(1)</script><img src=x onerror="alert(2)">[x](javascript:alert(3))')
    assert "alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_links_cannot_open_a_window_on_the_site():
    html = markdown_to_html("[site](https://example.org)")
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_extra_url_schemes_only_where_asked():
    assert "image:" not in sanitize('<img src="image:abc">')
    assert 'src="image:abc"' in sanitize('<img src="image:abc">', url_schemes={"http", "https", "image"})


def test_empty_text_is_empty_html():
    assert markdown_to_html(None) == ""
    assert markdown_to_html("") == ""


def test_plain_text_collapses_markup_and_space():
    assert plain_text("<p>One  <b>two</b></p>\n<p>three &amp; four</p>") == "One two three & four"


def test_documents_rendered_at_once_in_threads_do_not_mix():
    results: dict[int, str] = {}

    def render(n: int) -> None:
        for _ in range(50):
            results[n] = markdown_to_html(f"# Title {n}\n\nBody [{n}][ref]\n\n[ref]: https://example.org/{n}")

    threads = [threading.Thread(target=render, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n, html in results.items():
        assert f"Title {n}" in html
        assert f"https://example.org/{n}" in html
        assert all(f"Title {m}" not in html for m in results if m != n)
