from __future__ import annotations

app_name = "updates-admin"

urlpatterns: list = []
