"""Writes of the blog: posts (`posts`, on `content` and `transaction`) and the image pipeline (`images`)."""

from __future__ import annotations

from blog.errors import PostStateInvalid, PostVersionConflict, SlugTaken
from blog.services.images import image_process, image_upload_start
from blog.services.posts import (
    post_authors_set,
    post_create,
    post_delete,
    post_publish,
    post_schedule,
    post_submit,
    post_unpublish,
    post_update,
    posts_publish_due,
)
from blog.services.revisions import post_restore
from blog.services.transaction import SavedBy

__all__ = [
    "PostStateInvalid",
    "PostVersionConflict",
    "SavedBy",
    "SlugTaken",
    "image_process",
    "image_upload_start",
    "post_authors_set",
    "post_create",
    "post_delete",
    "post_publish",
    "post_restore",
    "post_schedule",
    "post_submit",
    "post_unpublish",
    "post_update",
    "posts_publish_due",
]
