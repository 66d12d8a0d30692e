"""Blog API: the public read API (`public`), the authors' posts API (`posts`) and their other APIs (`authoring`)."""

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
    "TagPostListApi",
]
