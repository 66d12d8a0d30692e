"""Verify the SES sending identity, print its DNS records, report the sandbox; idempotent."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mysite.deploy import ses
from mysite.deploy.render import ses_identity
from mysite.management.report import ChangeReport


class Command(BaseCommand):
    help = (
        "Verify the domain (or address) that DEFAULT_FROM_EMAIL sends from, print the DNS records "
        "(ownership TXT, DKIM CNAMEs) and say whether the account is still in the SES sandbox."
    )

    def add_arguments(self, parser):
        parser.add_argument("--identity", default="", help="Domain or address (default: DEFAULT_FROM_EMAIL's domain).")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, identity="", dry_run=False, **options):
        identity = (identity or ses_identity(settings.DEFAULT_FROM_EMAIL)).strip().lower()
        if not identity or identity.startswith("@") or " " in identity:
            raise CommandError(f"Not a domain or address: {identity!r}.")
        state = ses.identity_state(identity)
        report = ChangeReport(self, dry_run=dry_run)
        needs_dkim = state.is_domain and not state.dkim_tokens
        if state.verification in {"Success", "Pending"} and not needs_dkim:
            report.ok(f"identity {identity}: {state.verification}")
        else:
            report.change(f"verify {identity}{' with DKIM' if state.is_domain else ''}", lambda: ses.verify(identity))
            if not dry_run:
                state = ses.identity_state(identity)
        records = ses.dns_records(state)
        if records:
            self.stdout.write("  DNS records to add at the domain's DNS provider:")
            for name, kind, value in records:
                self.stdout.write(f"    {name}  {kind}  {value}")
        elif not state.is_domain and state.verification != "Success":
            self.stdout.write(f"  SES mailed a verification link to {identity}; open it to finish.")
        sandbox = ses.in_sandbox()
        if sandbox:
            self.stdout.write(
                self.style.WARNING(
                    "  sandbox  yes: SES sends only to verified addresses (200 a day). Request production access "
                    "in the SES console (Account dashboard) before inviting readers."
                )
            )
        elif sandbox is False:
            self.stdout.write("  sandbox  no: production access is enabled.")
        else:
            self.stdout.write("  sandbox  unknown: the account's SES status could not be read.")
        report.summary(
            unchanged="No changes: the identity is already verified or pending.",
            applied="Verification requested; add the DNS records above.",
        )
