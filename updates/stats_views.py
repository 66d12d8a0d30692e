"""The figures page of the admin panel: charts (server-side SVG) and the tables they are drawn from."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mysite.decorators import group_required
from updates.beacons import OUTCOMES
from updates.stats import product_figures
from updates.stats_svg import bar_chart, line_chart


@group_required("release-managers")
@require_GET
def figures(request: HttpRequest, product: str) -> HttpResponse:
    data = product_figures(product=product)
    labels = [day.strftime("%d %b") for day in data.days]
    oldest_first = list(reversed(data.releases))
    charts = {
        "adoption": line_chart(title="Installs per version, cumulative", labels=labels, series=data.adoption()),
        "downloads": bar_chart(
            title="Downloads per release (CDN logs)", bars=[(r.version, r.cdn_downloads_total) for r in oldest_first]
        ),
        "failures": bar_chart(
            title="Failure rate per release (failed + rolled back, of reports)",
            bars=[(r.version, r.failure_rate or 0) for r in oldest_first],
            unit="%",
        ),
    }
    per_platform = [
        (platform, line_chart(title=f"Installs on {platform}", labels=labels, series=data.adoption(platform=platform)))
        for platform in data.platforms()
    ]
    context = {"product": product, "figures": data, "charts": charts, "per_platform": per_platform, "rows": _rows(data)}
    return render(request, "updates/admin/figures.html", context)


def _rows(data) -> list[dict]:
    """The table under the charts: one row per release and platform, then the release's totals."""
    rows = []
    for release in data.releases:
        base = {"version": release.version, "status": release.status, "rollout": release.rollout}
        for platform, counts in release.outcomes.items():
            cells = {outcome.replace("-", "_"): n for outcome, n in counts.items()}
            rows.append({**base, "platform": platform, "cdn": release.cdn_downloads.get(platform, 0), **cells})
        totals = {outcome.replace("-", "_"): release.total(outcome) for outcome in OUTCOMES}
        rate = release.failure_rate
        rows.append(
            {
                **base,
                "platform": "all",
                "cdn": release.cdn_downloads_total,
                **totals,
                "rate": "—" if rate is None else f"{rate:.1%}",
                "total": True,
            }
        )
    return rows
