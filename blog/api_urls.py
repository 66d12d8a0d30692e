from __future__ import annotations

app_name = "blog-api"

urlpatterns: list = []
