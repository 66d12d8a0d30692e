from __future__ import annotations

app_name = "updates-api"

urlpatterns: list = []
