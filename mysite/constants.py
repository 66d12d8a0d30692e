"""Names and limits every app shares: the Cognito groups that give roles, and paging bounds."""

from __future__ import annotations

# Cognito groups (provisioned by `manage.py provision`, checked by `in_group`).
AUTHORS = "authors"  # write the blog
RELEASE_MANAGERS = "release-managers"  # publish update releases
GROUPS = (AUTHORS, RELEASE_MANAGERS)

# Lists take `limit` from 1 to a list's maximum (its schema states it); this is the largest any list allows.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# A signed cursor is a DynamoDB key plus a signature: well under this.
MAX_CURSOR_LENGTH = 2000
