"""Blog API: public reads, the authors' posts and their revisions, and the rest of the authors' tools."""

from __future__ import annotations

from blog.apis.authoring import AdminPreviewApi, ImageDetailApi, ImageUploadApi, ReaderListApi
from blog.apis.posts import (
    AdminPostAuthorsApi,
    AdminPostDetailApi,
    AdminPostListApi,
    AdminPostPublishApi,
    AdminPostScheduleApi,
    AdminPostSubmitApi,
    AdminPostUnpublishApi,
    LegacyPostDeleteApi,
    LegacyPostUpdateApi,
)
from blog.apis.public import PostDetailApi, PostListApi, TagPostListApi
from blog.apis.revisions import RevisionListApi, RevisionRestoreApi
from blog.apis.staff import StaffListApi, StaffMemberApi

__all__ = [
    "AdminPostAuthorsApi",
    "AdminPostDetailApi",
    "AdminPostListApi",
    "AdminPostPublishApi",
    "AdminPostScheduleApi",
    "AdminPostSubmitApi",
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
    "StaffListApi",
    "StaffMemberApi",
    "TagPostListApi",
]
