"""Create a confirmed user with a password and put them in groups (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_create
from mysite.errors import ApplicationError


class Command(BaseCommand):
    help = "Create (or update) a confirmed Cognito user and add them to groups."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--group", action="append", default=[], help="authors or release-managers; repeatable")

    def handle(self, *args, email: str, password: str, name: str, group: list[str], **options):
        try:
            user = user_create(email=email, password=password, display_name=name or email.split("@")[0], groups=group)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        verb = "Created" if user.created else "Updated"
        groups = ", ".join(group) or "no groups"
        self.stdout.write(self.style.SUCCESS(f"{verb} {user.email} (sub {user.sub}; {groups})."))
