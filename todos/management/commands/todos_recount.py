"""Count users' open tasks again into their counters (label counts, items left, Today), and fill in new index keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand

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
        for sub in subs:
            if dry_run:
                self.stdout.write(f"Would recount the counters of {sub}.")
                continue
            item = counts_recount(owner=sub, replace=True)
            sizes = ", ".join(f"{name} {len(counts_map(item, name))}" for name in MAPS)
            self.stdout.write(self.style.SUCCESS(f"{sub}: counted ({sizes} keys)."))
