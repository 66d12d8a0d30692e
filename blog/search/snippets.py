"""Highlighted snippets: the part of a post's text with the most query words, matches in <mark>."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import escape

from blog.search.text import WORD, normalize

SNIPPET_WORDS = 30
MAX_SCANNED_CHARS = 30_000  # a snippet comes from the start of a long post: bounded work per result


def highlight(text: str, matches: Callable[[str], bool], *, window: int | None = None) -> str:
    """`text` escaped, matching words in <mark>; with `window`, only the `window` words around the most matches."""
    text = text[:MAX_SCANNED_CHARS]
    spans = [(m.start(), m.end(), matches(normalize(m.group()))) for m in WORD.finditer(text)]
    if window is not None and len(spans) > window:
        first = _best_window(spans, window)
        spans = spans[first : first + window]
        start, end = spans[0][0], spans[-1][1]
    else:
        start, end = 0, len(text)
    parts = ["…"] if start > 0 else []
    position = start
    for span_start, span_end, matched in spans:
        if matched:
            parts += [escape(text[position:span_start]), "<mark>", escape(text[span_start:span_end]), "</mark>"]
            position = span_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)


def _best_window(spans: list[tuple[int, int, bool]], window: int) -> int:
    """The first word of the `window` words holding the most matches (the earliest such window)."""
    hits = [1 if matched else 0 for _, _, matched in spans]
    current = sum(hits[:window])
    best_count, best_start = current, 0
    for first in range(1, len(hits) - window + 1):
        current += hits[first + window - 1] - hits[first - 1]
        if current > best_count:
            best_count, best_start = current, first
    # Start a little before the first match so the reader sees it in context.
    if best_count:
        lead = next(i for i in range(best_start, best_start + window) if hits[i])
        best_start = max(0, min(lead - 5, len(hits) - window))
    return best_start
