"""The blog's errors: what a service or selector refuses, and why (one place maps them to HTTP)."""

from __future__ import annotations

from mysite.errors import Conflict, DomainError, NotFound, Unprocessable


class PostNotFound(NotFound):
    code, message = "post_not_found", "There is no such post."


class ImageNotFound(NotFound):
    code, message = "image_not_found", "There is no such image."


class PostVersionConflict(Conflict):
    code, message = "version_conflict", "Someone changed this post since you opened it; reload to see their version."
    current_post = None  # the post as it is now, for the API to answer with (None once deleted)


class SlugTaken(Conflict):
    code, message = "slug_taken", "Another post already uses this slug."


class PostStateInvalid(Unprocessable):
    code = "invalid_state"


class PreconditionRequired(DomainError):
    status, code = 428, "precondition_required"
    message = 'State the version you read: If-Match: "v<N>" or "version" in the body.'
