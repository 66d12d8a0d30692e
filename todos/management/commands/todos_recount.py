"""Count users' open tasks again into their counters (label counts, items left, Today), and fill in new index keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mysite.management.report import ChangeReport
from todos.services.counts import MAPS, counts_map, counts_recount


class Command(BaseCommand):
    help = (
        "Recount the counters of the given users from their tasks. Not needed to migrate: a user without "
        "counters is counted on their first read or write. Useful to repair, or to shrink the item."
    )

    def add_arguments(self, parser):
        parser.add_argument("subs", nargs="+", help="The users' Cognito subs.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done; write nothing.")

    def handle(self, *args, subs: list[str], dry_run: bool = False, **options):
        report = ChangeReport(self, dry_run=dry_run)
        for sub in subs:
            item = report.change(f"recount {sub}", lambda sub=sub: counts_recount(owner=sub, replace=True))
            if item is not None:
                report.ok(f"{sub}: " + ", ".join(f"{name} {len(counts_map(item, name))} keys" for name in MAPS))
        report.summary(unchanged="No users given.", applied=f"{report.changed} user(s) recounted.")
