"""Site-root URLs the blog owns (robots.txt, sitemap.xml)."""

from __future__ import annotations

urlpatterns: list = []
