"""Invalidate paths on the stage's CloudFront distribution, in batches."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from mysite.cdn import invalidate_paths
from mysite.dynamo import chunks

# CloudFront accepts up to 3,000 paths (15 with wildcards) in progress at once.
BATCH_SIZE = 1000


class Command(BaseCommand):
    help = "Invalidate PATHs on the CloudFront distribution (CLOUDFRONT_DISTRIBUTION_ID), e.g. /blog/ '/static/*'."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--distribution", default="", help="Distribution id (default: CLOUDFRONT_DISTRIBUTION_ID).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, distribution="", **options):
        with override_settings(CLOUDFRONT_DISTRIBUTION_ID=distribution or settings.CLOUDFRONT_DISTRIBUTION_ID):
            self.invalidate(**options)

    def invalidate(self, *, paths, batch_size=BATCH_SIZE, dry_run=False, **options):
        if not settings.CLOUDFRONT_DISTRIBUTION_ID:
            raise CommandError("No distribution: set CLOUDFRONT_DISTRIBUTION_ID or pass --distribution.")
        bad = [p for p in paths if "*" in p.rstrip("*")]
        if bad:
            raise CommandError(f"A wildcard may only end a path: {', '.join(bad)}")
        unique = sorted({p if p.startswith("/") else f"/{p}" for p in paths})
        wildcards = [p for p in unique if p.endswith("*")]
        if len(wildcards) > 15:
            raise CommandError("CloudFront allows at most 15 wildcard paths in progress; use a shorter prefix.")
        batches = list(chunks(unique, max(1, min(batch_size, 3000))))
        for number, batch in enumerate(batches, start=1):
            if dry_run:
                self.stdout.write(f"  would    invalidate {len(batch)} path(s) (batch {number}/{len(batches)})")
                continue
            invalidation = invalidate_paths(batch)
            self.stdout.write(
                f"  applying invalidation {invalidation}: {len(batch)} path(s) (batch {number}/{len(batches)})"
            )
        verb = "Would invalidate" if dry_run else "Invalidated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(unique)} path(s) on {settings.CLOUDFRONT_DISTRIBUTION_ID}."))
