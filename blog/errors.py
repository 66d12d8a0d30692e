"""The blog's errors: what a service or selector refuses, and why (one place maps them to HTTP)."""

from __future__ import annotations

from mysite.errors import Conflict, NotFound, Unprocessable


class PostNotFound(NotFound):
    code, message = "post_not_found", "There is no such post."


class ImageNotFound(NotFound):
    code, message = "image_not_found", "There is no such image."


class PostVersionConflict(Conflict):
    code, message = "version_conflict", "Someone changed this post since you opened it; reload to see their version."


class SlugTaken(Conflict):
    code, message = "slug_taken", "Another post already uses this slug."


class PostStateInvalid(Unprocessable):
    code = "invalid_state"
