"""What a display name and a password may contain, and how a name is made safe for a mail header."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from rest_framework import serializers

from mysite import cognito

DISPLAY_NAME_MESSAGE = "The name cannot contain line breaks, invisible characters or other control characters."

# Control characters (Cc) and the Unicode line and paragraph separators: any of them can split
# a mail header or a log line.
_FORBIDDEN_CATEGORIES = {"Cc", "Zl", "Zp"}
# Format characters (Cf) that reorder or hide text, so that a name shown to others reads as another
# ("\u202egnp.exe"): the bidirectional controls, the zero-width space, word joiner and byte-order mark.
# The joiners U+200C and U+200D stay: emoji sequences and Persian need them.
_INVISIBLE = frozenset("\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")


# The same rule as a pattern, for the API's schema (drf-spectacular states a RegexValidator as `pattern`).
DISPLAY_NAME_PATTERN = (
    r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]*$"
)


def _is_forbidden(character: str) -> bool:
    return character in _INVISIBLE or unicodedata.category(character) in _FORBIDDEN_CATEGORIES


def validate_display_name(value: str) -> None:
    """Refuse a display name with control characters (a header injection: `"Evil\\nBcc: x@example.com"`)."""
    if any(_is_forbidden(character) for character in value):
        raise ValidationError(DISPLAY_NAME_MESSAGE, code="control_characters")


class DisplayNameValidator(RegexValidator):
    """`validate_display_name` for serializers: the schema shows it as a pattern, the check stays the one above."""

    def __init__(self):
        super().__init__(DISPLAY_NAME_PATTERN, DISPLAY_NAME_MESSAGE, code="control_characters")

    def __call__(self, value) -> None:
        validate_display_name(str(value))


# mysite.cognito.password_problem as a pattern for the API's schema, so that a password the schema allows
# is one the service takes: a lowercase letter and a number (the pool's policy), no space first or last and
# no line break (Cognito's own shape). The length is the field's minLength.
_CHAR = r"[^\n\r\u0085\u2028\u2029]"  # Java's `.`
_EDGE = r"[^ \t\n\x0b\f\r\u0085\u2028\u2029]"  # Java's `\S`, and not a line break
PASSWORD_PATTERN = rf"^(?:{_EDGE}{_CHAR}*)?(?:[a-z]{_CHAR}*[0-9]|[0-9]{_CHAR}*[a-z])(?:{_CHAR}*{_EDGE})?$"
PASSWORD_MIN_LENGTH = cognito.PASSWORD_POLICY["MinimumLength"]
PASSWORD_HELP = f"At least {PASSWORD_MIN_LENGTH} characters, with a lowercase letter and a number."


def password_field(**kwargs):
    """A serializer field for a new password: the policy's length and characters, taken as typed (a space
    first or last is refused, never dropped)."""
    return serializers.CharField(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=256,
        write_only=True,
        trim_whitespace=False,
        validators=[PasswordValidator()],
        **kwargs,
    )


class PasswordValidator(RegexValidator):
    """The policy's kinds of character, for forms and serializers (they state the minimum length themselves)."""

    def __init__(self):
        super().__init__(PASSWORD_PATTERN, code="password_policy")

    def __call__(self, value) -> None:
        if problem := cognito.password_problem(str(value), length=False):
            raise ValidationError(problem, code=self.code)


def header_safe(value: str) -> str:
    """`value` with every control character turned into a space: a name from before validation cannot inject."""
    cleaned = "".join(" " if _is_forbidden(character) else character for character in value)
    return re.sub(r"\s+", " ", cleaned).strip()
