"""The blog API under /api/blog/: public reads, and the authors' API under admin/ (docs/api-conventions.md)."""

from __future__ import annotations

from django.urls import include, path

from blog import apis
from mysite.deprecation import moved_to

app_name = "blog-api"


urlpatterns = [
    path("posts", apis.PostListApi.as_view(), name="posts"),
    path("posts/<slug:slug>", apis.PostDetailApi.as_view(), name="post"),
    path("tags/<str:tag>/posts", apis.TagPostListApi.as_view(), name="tag-posts"),
    path("", include("blog.search.api_urls")),
    path("", include("blog.newsletter.api_urls")),
    path("admin/posts", apis.AdminPostListApi.as_view(), name="admin-posts"),
    # Earlier route (one release): `POST admin/posts/create` is now `POST admin/posts`.
    path("admin/posts/create", moved_to(f"{app_name}:admin-posts"), name="admin-post-create"),
    path("admin/posts/<str:post_id>", apis.AdminPostDetailApi.as_view(), name="admin-post"),
    path("admin/posts/<str:post_id>/publish", apis.AdminPostPublishApi.as_view(), name="admin-post-publish"),
    path("admin/posts/<str:post_id>/schedule", apis.AdminPostScheduleApi.as_view(), name="admin-post-schedule"),
    path("admin/posts/<str:post_id>/authors", apis.AdminPostAuthorsApi.as_view(), name="admin-post-authors"),
    path("admin/posts/<str:post_id>/submit", apis.AdminPostSubmitApi.as_view(), name="admin-post-submit"),
    path("admin/posts/<str:post_id>/unpublish", apis.AdminPostUnpublishApi.as_view(), name="admin-post-unpublish"),
    path("admin/posts/<str:post_id>/revisions", apis.RevisionListApi.as_view(), name="admin-post-revisions"),
    path(
        "admin/posts/<str:post_id>/revisions/<int:number>/restore",
        apis.RevisionRestoreApi.as_view(),
        name="admin-post-revision-restore",
    ),
    # Earlier routes (one release) whose method changed: now PATCH and DELETE of `admin/posts/<id>`.
    path("admin/posts/<str:post_id>/update", apis.LegacyPostUpdateApi.as_view(), name="admin-post-update"),
    path("admin/posts/<str:post_id>/delete", apis.LegacyPostDeleteApi.as_view(), name="admin-post-delete"),
    path("admin/preview", apis.AdminPreviewApi.as_view(), name="admin-preview"),
    path("admin/images", apis.ImageUploadApi.as_view(), name="image-upload"),
    path("admin/images/<str:image_id>", apis.ImageDetailApi.as_view(), name="image-detail"),
    path("admin/readers", apis.ReaderListApi.as_view(), name="admin-readers"),
    path("admin/staff", apis.StaffListApi.as_view(), name="admin-staff"),
    path("admin/staff/<str:user_id>", apis.StaffMemberApi.as_view(), name="admin-staff-member"),
]
