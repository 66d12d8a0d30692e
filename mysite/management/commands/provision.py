"""Create what the stage needs: tables, bucket, user pool; idempotent, with --dry-run."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from django.core.management.base import BaseCommand, CommandError
from pynamodb.exceptions import PynamoDBException

from mysite.management.report import ChangeReport
from mysite.provisioning import all_steps, apply_outputs, write_outputs


class Command(BaseCommand):
    help = "Create the DynamoDB tables, S3 bucket and Cognito user pool this stage needs (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print the plan; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        try:
            self._provision(dry_run=dry_run)
        except NoCredentialsError as error:
            raise CommandError("No AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/SECRET.") from error
        except (BotoCoreError, ClientError, PynamoDBException) as error:
            raise CommandError(f"AWS refused or could not be reached: {error}") from error

    def _provision(self, *, dry_run: bool) -> None:
        outputs: dict = {}
        report = ChangeReport(self, dry_run=dry_run)
        for step in all_steps(outputs):
            changes = step.plan()
            if not changes:
                report.ok(step.name)
            for change in changes:
                report.change(f"{step.name}: {change.description}", change.apply)
        if not dry_run:
            apply_outputs(outputs)
            written = write_outputs(outputs)
            if written:
                report.line("wrote", str(written))
        report.summary(unchanged="No changes: everything is already provisioned.")
