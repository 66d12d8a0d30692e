"""Blog API: public reads, the authors' posts and their revisions, and the rest of the authors' tools."""

from __future__ import annotations

from blog.apis.authoring import AdminPreviewApi, ImageDetailApi, ImageUploadApi, ReaderListApi
from blog.apis.posts import (
    AdminPostDetailApi,
    AdminPostListApi,
    AdminPostPublishApi,
    AdminPostScheduleApi,
    AdminPostUnpublishApi,
    LegacyPostDeleteApi,
    LegacyPostUpdateApi,
)
from blog.apis.public import PostDetailApi, PostListApi, TagPostListApi
from blog.apis.revisions import RevisionListApi, RevisionRestoreApi

__all__ = [
    "AdminPostDetailApi",
    "AdminPostListApi",
    "AdminPostPublishApi",
    "AdminPostScheduleApi",
    "AdminPostUnpublishApi",
    "AdminPreviewApi",
    "ImageDetailApi",
    "ImageUploadApi",
    "LegacyPostDeleteApi",
    "LegacyPostUpdateApi",
    "PostDetailApi",
    "PostListApi",
    "ReaderListApi",
    "RevisionListApi",
    "RevisionRestoreApi",
    "TagPostListApi",
]
