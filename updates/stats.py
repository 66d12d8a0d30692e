"""The release managers' figures: adoption per version and platform over time, downloads, failure rates.

Everything is read from the counters (`updates.beacons`, `updates.cdn_logs`), never from raw events:
the newest FIGURE_RELEASES releases of the product (one Query), then per release one Query per
beacon shard, its artifacts (one Query) and one Query per artifact for CDN downloads. Bounded by the
number of releases shown, whatever the traffic was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from updates.beacons import OUTCOMES, release_outcome_counts
from updates.cdn_logs import artifact_downloads
from updates.constants import DRAFT, PLATFORMS, READY
from updates.selectors import product_get, release_artifacts, releases_list

FIGURE_RELEASES = 10
MAX_DAYS = 90


@dataclass
class ReleaseFigures:
    version: str
    status: str
    rollout: int
    outcomes: dict[str, dict[str, int]]  # platform -> outcome -> count (beacons)
    installs_by_day: dict[date, dict[str, int]]  # day -> platform -> installs
    cdn_downloads: dict[str, int]  # platform -> downloads counted from CDN logs
    cdn_downloads_by_day: dict[date, int]

    def total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.outcomes.values())

    @property
    def reports(self) -> int:
        return self.total("installed") + self.total("failed") + self.total("rolled-back")

    @property
    def failure_rate(self) -> float | None:
        """(failed + rolled back) / reports; None without reports."""
        return (self.total("failed") + self.total("rolled-back")) / self.reports if self.reports else None

    @property
    def cdn_downloads_total(self) -> int:
        return sum(self.cdn_downloads.values())


@dataclass
class ProductFigures:
    product: str
    releases: list[ReleaseFigures]  # newest first
    days: list[date] = field(default_factory=list)

    def adoption(self, *, platform: str | None = None) -> dict[str, list[int]]:
        """version -> cumulative installs at the end of each day in `days` (one platform, or all)."""
        series = {}

        def installs(counts: dict[str, int]) -> int:
            return counts.get(platform, 0) if platform else sum(counts.values())

        for release in reversed(self.releases):
            first = self.days[0] if self.days else None
            # Installs before the first day shown still count towards adoption.
            running = sum(installs(c) for d, c in release.installs_by_day.items() if first and d < first)
            points = []
            for day in self.days:
                running += installs(release.installs_by_day.get(day, {}))
                points.append(running)
            series[release.version] = points
        return series

    def platforms(self) -> list[str]:
        seen = {p for r in self.releases for p, c in r.outcomes.items() if any(c.values())}
        seen |= {p for r in self.releases for p, n in r.cdn_downloads.items() if n}
        return [p for p in PLATFORMS if p in seen]


def _release_figures(release) -> ReleaseFigures:
    counts = release_outcome_counts(product=release.product, sort_key=release.sort_key)
    outcomes: dict[str, dict[str, int]] = {}
    installs_by_day: dict[date, dict[str, int]] = {}
    for (day, platform), cell in counts.by_day.items():
        target = outcomes.setdefault(platform, dict.fromkeys(OUTCOMES, 0))
        for outcome in OUTCOMES:
            target[outcome] += cell[outcome]
        if cell["installed"]:
            installs_by_day.setdefault(day, {})[platform] = cell["installed"]
    artifacts = [a for a in release_artifacts(release=release) if a.status == READY and a.sha256]
    downloads = artifact_downloads(sha256s=[a.sha256 for a in artifacts])
    cdn_by_day: dict[date, int] = {}
    cdn_by_platform: dict[str, int] = {}
    for artifact in artifacts:
        for day, count in downloads[artifact.sha256].items():
            cdn_by_day[day] = cdn_by_day.get(day, 0) + count
            cdn_by_platform[artifact.platform] = cdn_by_platform.get(artifact.platform, 0) + count
    return ReleaseFigures(
        version=release.version_name,
        status=release.status,
        rollout=int(release.rollout),
        outcomes=outcomes,
        installs_by_day=installs_by_day,
        cdn_downloads=cdn_by_platform,
        cdn_downloads_by_day=cdn_by_day,
    )


def product_figures(*, product: str, limit: int = FIGURE_RELEASES) -> ProductFigures:
    """Figures of the newest `limit` releases offered to clients (drafts have none)."""
    owner = product_get(slug=product)
    releases, _ = releases_list(product=owner.slug, limit=limit * 2)
    shown = [release for release in releases if release.status != DRAFT][:limit]
    figures = ProductFigures(product=owner.slug, releases=[_release_figures(r) for r in shown])
    days = {d for r in figures.releases for d in r.installs_by_day} | {
        d for r in figures.releases for d in r.cdn_downloads_by_day
    }
    if days:
        first, last = max(min(days), max(days) - timedelta(days=MAX_DAYS - 1)), max(days)
        figures.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return figures
