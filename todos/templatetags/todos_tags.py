"""Template helpers for the todos pages: sanitised Markdown notes, how long ago something was done, repeats in words."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from mysite.richtext import markdown_to_html
from todos.quickadd import recurrence_from_words
from todos.recurrence import recurrence_words

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render Markdown notes and strip anything unsafe (scripts, handlers, javascript: links)."""
    return mark_safe(markdown_to_html(text))


@register.filter
def repeat_words(rule: str | None) -> str:
    """An RRULE as words ("every Monday"); the rule itself when the words do not cover it."""
    return recurrence_words(rule)


@register.filter
def repeat_field(rule: str | None) -> str:
    """What the Repeat field shows: the words, when reading them back gives this very rule; else the rule."""
    words = recurrence_words(rule)
    return words if rule and recurrence_from_words(words) == rule else (rule or "")


@register.filter
def ago(moment: datetime | None) -> str:
    """How long ago `moment` was: "just now" within a minute, else "2 minutes ago", "3 hours ago"."""
    if moment is None:
        return ""
    if (datetime.now(UTC) - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, depth=1)} ago"
