from __future__ import annotations

app_name = "blog-admin"

urlpatterns: list = []
