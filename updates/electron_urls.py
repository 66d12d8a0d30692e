"""The update.electronjs.org-compatible endpoint, mounted at /update/."""

from __future__ import annotations

app_name = "updates-electron"

urlpatterns: list = []
