"""Set the readers list's per-shard profile counts from the profiles themselves (once, when the counts start)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.models import Profile, ReaderCount, reader_shards
from mysite.management.report import ChangeReport


class Command(BaseCommand):
    help = (
        "Count the profiles of every readers-list shard (a Query count per shard) and store the counts that "
        "sign-ups then keep. Run it once where profiles predate the counts, while nobody signs up: a sign-up "
        "between a shard's count and its store would be lost from that count."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print the counts without storing them")

    def handle(self, *args, dry_run: bool = False, **options):
        report = ChangeReport(self, dry_run=dry_run)
        for shard in reader_shards():
            counted = Profile.by_joined.count(shard)
            try:
                stored = int(ReaderCount.get(shard, consistent_read=True).profiles)
            except ReaderCount.DoesNotExist:
                stored = 0
            if counted == stored:
                report.ok(f"{shard}: {counted}")
            else:
                report.change(f"{shard}: {stored} -> {counted}", ReaderCount(shard, profiles=counted).save)
        report.summary(unchanged="Every shard's count matches its profiles.")
