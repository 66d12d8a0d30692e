"""Names and limits every app shares: the Cognito groups that give roles, the cursor's bound, the time zones."""

from __future__ import annotations

from zoneinfo import available_timezones

# Cognito groups (provisioned by `manage.py provision`, checked by `in_group`).
# The blog's staff roles, lowest first; a user's role is the highest of their groups (blog.permissions).
CONTRIBUTORS = "contributors"  # write and edit their own drafts, submit them for review
AUTHORS = "authors"  # also publish their own posts (the group's name predates the other roles)
EDITORS = "editors"  # every post, and the readers
ADMINISTRATORS = "administrators"  # everything editors do, and the blog's staff
BLOG_ROLE_GROUPS = {
    CONTRIBUTORS: "contributor",
    AUTHORS: "author",
    EDITORS: "editor",
    ADMINISTRATORS: "administrator",
}
RELEASE_MANAGERS = "release-managers"  # publish update releases
GROUPS = (*BLOG_ROLE_GROUPS, RELEASE_MANAGERS)

# A signed cursor is a DynamoDB key plus a signature: well under this (longer is refused before decoding).
MAX_CURSOR_LENGTH = 2000

# The zones a user may choose: the IANA names this Python knows, less "localtime" (the server's own
# /etc/localtime: one zone on a laptop, another on Lambda) and "Factory" (a placeholder, no place's time).
TIME_ZONES = frozenset(available_timezones()) - {"localtime", "Factory"}
