"""Who may do what with the blog: every staff-role decision, as small pure functions.

The roles are Ghost's, lowest first: a contributor writes and edits their own drafts and submits
them for review; an author also publishes, edits and deletes their own posts; an editor does all
of that to every post and sees the readers; an administrator also manages the staff. A user's role
is the highest of their Cognito groups (`CognitoUser.blog_role`, from mysite.constants).

`actor` is anything with `sub` and `blog_role` (the request's user); `post` anything with
`author_sub`, `status` and, once it has co-authors, `author_subs`. The API views, the admin pages
and the services all ask these functions; none decides on its own. Another staff member's post
is invisible to those who may not see it (the project answers 404 for others' objects, not 403).
"""

from __future__ import annotations

from typing import Protocol

from blog.constants import DRAFT

CONTRIBUTOR, AUTHOR, EDITOR, ADMINISTRATOR = "contributor", "author", "editor", "administrator"
ROLES = (CONTRIBUTOR, AUTHOR, EDITOR, ADMINISTRATOR)  # lowest first
ROLE_LABELS = {CONTRIBUTOR: "Contributor", AUTHOR: "Author", EDITOR: "Editor", ADMINISTRATOR: "Administrator"}


class Actor(Protocol):
    sub: str
    blog_role: str | None


def rank(role: str | None) -> int:
    """0 for no role, then 1 (contributor) to 4 (administrator)."""
    return ROLES.index(role) + 1 if role in ROLES else 0


def is_staff(actor: Actor) -> bool:
    """Any blog role: may use the authors' panel and API at all."""
    return rank(getattr(actor, "blog_role", None)) > 0


def _at_least(actor: Actor, role: str) -> bool:
    return rank(getattr(actor, "blog_role", None)) >= rank(role)


def sees_every_post(actor: Actor) -> bool:
    """Editors and administrators list and open every post; the others only their own."""
    return _at_least(actor, EDITOR)


def post_authors(post) -> list[str]:
    """The subs of a post's bylines, primary first."""
    subs = list(getattr(post, "author_subs", None) or [])
    return subs or [post.author_sub]


def is_own(actor: Actor, post) -> bool:
    return bool(getattr(actor, "sub", "")) and actor.sub in post_authors(post)


def can_create(actor: Actor) -> bool:
    return is_staff(actor)


def can_view(actor: Actor, post) -> bool:
    """Open the post in the panel (its editor, history, revisions)."""
    return is_staff(actor) and (sees_every_post(actor) or is_own(actor, post))


def can_edit(actor: Actor, post) -> bool:
    """Change its content (or restore a revision): a contributor only while it is a draft."""
    if not can_view(actor, post):
        return False
    return _at_least(actor, AUTHOR) or post.status == DRAFT


def can_publish(actor: Actor, post=None) -> bool:
    """Publish, schedule or unpublish it (`post=None`: a post about to be created by `actor`)."""
    if post is None:
        return _at_least(actor, AUTHOR)
    return can_view(actor, post) and _at_least(actor, AUTHOR)


def can_delete(actor: Actor, post) -> bool:
    """Delete it: an author their own posts, a contributor their own drafts, editors every post."""
    return can_edit(actor, post)


def can_submit(actor: Actor, post) -> bool:
    """Ask an editor to review a draft (what a contributor does instead of publishing)."""
    return can_edit(actor, post) and post.status == DRAFT


def can_add_coauthor(actor: Actor, post) -> bool:
    """Name other staff as the post's co-authors: editors, and the post's own authors while they may edit it."""
    return can_edit(actor, post)


def can_see_readers(actor: Actor) -> bool:
    return _at_least(actor, EDITOR)


def can_manage_tags(actor: Actor) -> bool:
    return _at_least(actor, EDITOR)


def can_manage_staff(actor: Actor) -> bool:
    """List the staff and change their roles."""
    return _at_least(actor, ADMINISTRATOR)
