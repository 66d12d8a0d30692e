"""Create the demo users on a new stack and print their passwords once."""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand

from accounts.selectors import profile_count
from accounts.services import user_create
from mysite.constants import GROUPS
from mysite.registry import app_modules

DEMO_USERS = [
    ("reader@example.com", "Demo Reader", []),
    ("author@example.com", "Demo Author", list(GROUPS)),
]


class Command(BaseCommand):
    help = "Seed demo users (a reader, and an author who also manages releases) when no user exists yet."

    def handle(self, *args, **options):
        if profile_count() > 0:
            self.stdout.write("Demo users: already seeded (their passwords were printed on the first run).")
            return
        lines = []
        for email, name, groups in DEMO_USERS:
            password = f"demo-{secrets.token_hex(4)}1"
            user_create(email=email, password=password, display_name=name, groups=groups)
            role = ", ".join(groups) or "reader"
            lines.append(f"    {email:<22} {password:<18} ({role})")
        self.stdout.write(self.style.SUCCESS("\n  Demo users (shown once; sign in with these):"))
        self.stdout.write("\n".join(lines) + "\n")
        for demo in app_modules("demo"):
            demo.seed(stdout=self.stdout)
