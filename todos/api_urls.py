from __future__ import annotations

app_name = "todos-api"

urlpatterns: list = []
