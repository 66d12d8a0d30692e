"""Newsletter pages under /newsletter/."""

from __future__ import annotations

from django.urls import path

from blog.newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:subscriber_id>/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("dev/notifications/", views.dev_notifications, name="dev-notifications"),
]
