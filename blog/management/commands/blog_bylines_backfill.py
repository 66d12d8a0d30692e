"""List every published post under each of its authors (AuthoredPost), for posts published before that listing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from blog.services.bylines import bylines_backfill


class Command(BaseCommand):
    help = "Write the author listing (AuthoredPost) of every published post; safe to run again."

    def handle(self, *args, **options):
        count = bylines_backfill()
        self.stdout.write(f"Listed {count} published post(s) under their authors.")
