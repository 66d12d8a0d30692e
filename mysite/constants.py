"""Names and limits every app shares: the Cognito groups that give roles, and the cursor's bound."""

from __future__ import annotations

# Cognito groups (provisioned by `manage.py provision`, checked by `in_group`).
AUTHORS = "authors"  # write the blog
RELEASE_MANAGERS = "release-managers"  # publish update releases
GROUPS = (AUTHORS, RELEASE_MANAGERS)

# A signed cursor is a DynamoDB key plus a signature: well under this (longer is refused before decoding).
MAX_CURSOR_LENGTH = 2000
