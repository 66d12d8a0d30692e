"""`{% idempotency_field %}`: the hidden key that makes a create form's resubmission harmless (mysite.idempotency)."""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html

from mysite.idempotency import FORM_FIELD

register = template.Library()


@register.simple_tag
def idempotency_field() -> str:
    """A new key each time the form is rendered: a double click or a browser retry posts the same one."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, secrets.token_urlsafe(18))
