"""The blog's errors: what a service or selector refuses, and why (one place maps them to HTTP)."""

from __future__ import annotations

from mysite.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Unprocessable, VersionConflict


class PostNotFound(NotFound):
    code, message = "post_not_found", "There is no such post."


class ImageNotFound(NotFound):
    code, message = "image_not_found", "There is no such image."


class RoleForbidden(Forbidden):
    """The post is visible to this staff member, but their role does not allow the action (blog.permissions)."""

    code, message = "forbidden", "Your role does not allow this."


class PostVersionConflict(VersionConflict):
    message = "Someone changed this post since you opened it; reload to see their version."


class StaffMemberNotFound(NotFound):
    code, message = "user_not_found", "There is no such user."


class LastAdministrator(Conflict):
    code, message = "last_administrator", "The blog needs an administrator: make someone else one first."


class SendAlreadyStarted(Conflict):
    code, message = "newsletter_already_sent", "This post has been emailed to the subscribers already."


class InvalidLink(InvalidInput):
    code, message = "invalid_link", "This link is not valid (changed, or for another address)."


class SlugTaken(Conflict):
    code, message = "slug_taken", "Another post already uses this slug."


class PostStateInvalid(Unprocessable):
    code = "invalid_state"


class UnknownAuthor(Unprocessable):
    code, message = "unknown_author", "Only the blog's staff can be named as a post's authors."


class PostGone(Gone):
    code, message = "post_gone", "This post was deleted."


class PostMoved(Exception):
    """The slug asked for is one a post had before; `slug` is where it lives now."""

    def __init__(self, slug: str):
        super().__init__(slug)
        self.slug = slug


class RevisionNotFound(NotFound):
    code, message = "revision_not_found", "This post has no such revision."
