"""Server-side SVG charts for the admin figures: no JavaScript, no chart library, text escaped.

Each chart is a string of inline SVG with `role="img"`, a `<title>` and an `aria-label`; the page
shows the same numbers in a table next to it. Pure functions: safe with any processes and threads.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 24, 40
# Colour-blind-safe palette (Okabe-Ito), in series order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def _scale_top(value: float) -> float:
    """A round number at or above `value` for the y axis (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _frame(title: str, top: float, unit: str, body: list[str]) -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        value = top * tick / 4
        y = TOP + plot_h - plot_h * tick / 4
        label = f"{value:.0%}" if unit == "%" else f"{value:g}"
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{label}</text>'
        )
    return mark_safe("".join(parts + body + ["</svg>"]))


def line_chart(*, title: str, labels: list[str], series: dict[str, list[float]]) -> SafeString:
    """One line per series over `labels` (days), with a legend on the right."""
    top = _scale_top(max((v for points in series.values() for v in points), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    body = []
    for index, (name, points) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        coords = " ".join(
            f"{LEFT + step * i:.1f},{TOP + plot_h - plot_h * value / top:.1f}" for i, value in enumerate(points)
        )
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
        y = TOP + 14 * index
        last = points[-1] if points else 0
        body.append(
            f'<rect x="{WIDTH - RIGHT + 10}" y="{y}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{WIDTH - RIGHT + 26}" y="{y + 9}" font-size="11">{escape(name)} ({last:g})</text>'
        )
    for i, label in enumerate(labels):
        if len(labels) <= 8 or i % max(len(labels) // 6, 1) == 0 or i == len(labels) - 1:
            body.append(
                f'<text x="{LEFT + step * i:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'font-size="10">{escape(label)}</text>'
            )
    return _frame(title, top, "", body)


def bar_chart(*, title: str, bars: list[tuple[str, float]], unit: str = "") -> SafeString:
    """One bar per (label, value); `unit="%"` draws shares 0-1 as percentages."""
    peak = max((v for _, v in bars), default=0)
    top = min(1.0, _scale_top(peak * 100) / 100) if unit == "%" else _scale_top(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    body = []
    for i, (label, value) in enumerate(bars):
        height = plot_h * value / top if top else 0
        x = LEFT + slot * i + slot * 0.15
        shown = f"{value:.1%}" if unit == "%" else f"{value:g}"
        body.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {shown}</title></rect>'
            f'<text x="{x + slot * 0.35:.1f}" y="{TOP + plot_h - height - 4:.1f}" text-anchor="middle" '
            f'font-size="10">{shown}</text>'
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="10">{escape(label)}</text>'
        )
    return _frame(title, top, unit, body)
