"""Write the Zappa stages from the code and from what exists on AWS: events, permissions, ids; idempotent."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from django.core.management.base import BaseCommand, CommandError

from mysite.deploy import stages
from mysite.deploy.render import current_lookups, render_attach_policy, render_stage
from mysite.management.report import ChangeReport


class Command(BaseCommand):
    help = (
        "Render zappa_settings.json stages: events from every app's EVENT_SOURCES (stream ARNs of the "
        "provisioned tables), least-privilege extra_permissions, and the ids provision/setup_cloudfront created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stage",
            action="append",
            dest="stage_names",
            help=f"Stage to render (repeatable; default: {stages.STAGES}).",
        )
        parser.add_argument(
            "--offline", action="store_true", help="Do not ask AWS; keep the ids and ARNs the file already has."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument("--check", action="store_true", help="Fail if the file is not what would be rendered.")

    def handle(self, *args, stage_names=None, offline=False, dry_run=False, check=False, **options):
        path = stages.settings_path()
        everything = stages.read_all(path)
        stale = []
        report = ChangeReport(self, dry_run=dry_run or check)
        for stage in stage_names or stages.STAGES:
            current = everything.get(stage, {})
            if offline or check:
                lookups = current_lookups(current)
            else:
                from mysite.deploy.lookups import aws_lookups

                self.stdout.write(f"  looking up {stage} on AWS ...")
                try:
                    lookups = aws_lookups(render_stage(stage, current, current_lookups(current)))
                except (BotoCoreError, ClientError) as error:
                    raise CommandError(f"Could not read the {stage} stage from AWS: {error}. Use --offline.") from error
            rendered = render_stage(stage, current, lookups)
            policy_path = stages.settings_path().parent / rendered["attach_policy"]
            policy = stages.dumps(render_attach_policy(stage, rendered, lookups))
            policy_current = policy_path.read_text() if policy_path.exists() else ""
            pending = [e["function"] for e in rendered["events"] if stages.PENDING in str(e.get("event_source", {}))]
            unchanged = rendered == current and policy == policy_current
            summary = (
                f"{stage}: {len(rendered['events'])} event(s), {len(rendered['extra_permissions'])} policy statement(s)"
            )

            def write(stage=stage, rendered=rendered, policy_path=policy_path, policy=policy):
                stages.write_stage(stage, rendered, path)
                policy_path.parent.mkdir(parents=True, exist_ok=True)
                policy_path.write_text(policy)

            if unchanged:
                report.ok(summary)
            else:
                stale.append(stage)
                report.change(summary, write)
            for function in pending:
                report.line("", f"{function}: stream ARN unknown until `provision` ran on this stage")
        if check and stale:
            raise CommandError(
                f"{path.name} is out of date for {', '.join(stale)}: run `manage.py zappa_settings --offline`."
            )
        report.summary(
            unchanged="No changes: zappa_settings.json matches the code.",
            planned=f"Would update {', '.join(stale)} (--dry-run).",
            applied=f"Updated {path}: {', '.join(stale)}.",
        )
