"""Where every request goes: one URL root per app, the API under /api/."""

from __future__ import annotations

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from mysite import views

# Swagger UI and ReDoc style their widgets inline (and ReDoc searches in a blob: worker); only these
# two pages get that, and still no inline script.
docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("dev/mail/", views.mailbox, name="mailbox"),
    path("accounts/", include("accounts.urls")),
    path("todos/", include("todos.urls")),
    path("blog/", include("blog.urls")),
    path("updates/", include("updates.urls")),
    path("admin/", include("mysite.admin_urls")),
    path("admin/blog/", include("blog.admin_urls")),
    path("admin/updates/", include("updates.admin_urls")),
    path("update/", include("updates.electron_urls")),
    path("", include("blog.root_urls")),
    path("api/accounts/", include("accounts.api_urls")),
    path("api/todos/", include("todos.api_urls")),
    path("api/blog/", include("blog.api_urls")),
    path("api/updates/", include("updates.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script (CSP).
    path("api/docs/", docs_csp(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("api/redoc/", docs_csp(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
]

handler400 = "mysite.errors.bad_request"
handler403 = "mysite.errors.permission_denied"
handler404 = "mysite.errors.page_not_found"
handler500 = "mysite.errors.server_error"
