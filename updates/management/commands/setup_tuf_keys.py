"""The stage's TUF online keys in KMS, one per role, signable only by the function (and a named operator)."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mysite.deploy import kms, stages
from mysite.deploy.aws import account_id, client
from mysite.deploy.render import current_lookups, render_stage
from mysite.management.report import ChangeReport
from updates import tuf_keys

SETTING = "UPDATES_TUF_KMS_KEYS"
# A new product's first root is signed by an online root key until `tuf_root` takes root offline.
ROLES = (tuf_keys.BOOTSTRAP_ROOT, *tuf_keys.ONLINE_ROLES)


def key_alias(prefix: str, role: str) -> str:
    return f"alias/{prefix}tuf-{role}"


class Command(BaseCommand):
    help = (
        f"Create (or find by alias alias/<prefix>tuf-<role>) one {kms.KEY_SPEC} KMS signing key per TUF role "
        f"the function signs ({', '.join(ROLES)}), with a key policy that lets only the function's role (and "
        f"--operator-arn) sign, and write {SETTING} into the stage in zappa_settings.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stage", default=None, help="Zappa stage (default: DEPLOY_STAGE, else production).")
        parser.add_argument(
            "--operator-arn",
            action="append",
            default=[],
            help="IAM role or user that runs tuf_root / tuf_rotate_online (they re-sign with these keys); "
            "not the deploying identity (repeatable).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print what would change; change nothing.")

    def handle(self, *args, stage=None, operator_arn=(), dry_run=False, **options):
        stage = stage or getattr(settings, "DEPLOY_STAGE", "") or "production"
        path = stages.settings_path()
        everything = stages.read_all(path)
        if stage not in everything:
            raise CommandError(f"No stage {stage!r} in {path}: run `manage.py zappa_settings --stage {stage}` first.")
        current = everything[stage]
        rendered = render_stage(stage, current, current_lookups(current))
        env = rendered["environment_variables"]
        prefix = env["DYNAMODB_TABLE_PREFIX"]

        account = account_id()
        caller = kms.principal_arn(client("sts").get_caller_identity()["Arn"])
        if caller in operator_arn:
            raise CommandError(f"{caller} runs this deploy; the deploying identity must not be able to sign.")
        function_role = kms.lambda_role_arn(account=account, function_name=f"{rendered['project_name']}-{stage}")
        signers = sorted({function_role, *operator_arn})
        policy = kms.signing_key_policy(account=account, signers=signers)
        report = ChangeReport(self, dry_run=dry_run)
        report.line("signers", ", ".join(signers))

        configured = _configured(env.get(SETTING, ""))
        for role in ROLES:
            alias = key_alias(prefix, role)
            key_id = kms.key_by_alias(alias)
            if key_id is None:
                key_id = report.change(
                    f"create {alias} ({kms.KEY_SPEC} {kms.KEY_USAGE})",
                    lambda alias=alias, role=role: kms.signing_key_create(
                        alias=alias, description=f"TUF {role} key ({prefix})", policy=policy
                    ),
                )
            else:
                kms.check_signing_key(key_id, alias)
                if kms.key_policy(key_id) == policy:
                    report.ok(f"{alias} -> {key_id}")
                else:
                    report.change(
                        f"key policy of {alias}: only {', '.join(signers)} sign",
                        lambda key_id=key_id: kms.key_policy_put(key_id, policy),
                    )
            if key_id and key_id not in configured.setdefault(role, []):
                configured[role].append(key_id)  # keys added for a rotation stay configured beside it

        value = json.dumps({role: ids for role, ids in configured.items() if ids}, sort_keys=True)
        if value == (env.get(SETTING) or ""):
            report.ok(f"{SETTING} of {stage} in {path.name}")
        else:
            report.change(f"{SETTING} of {stage} in {path.name}", lambda: _write(stage, current, value, path))
        report.line(SETTING, value)
        self.stdout.write(f"  next     zappa update {stage}  (the function reads {SETTING} from its environment)")
        report.summary(unchanged="No changes: the keys, their policies and the stage setting are as configured.")


def _configured(value: str) -> dict[str, list[str]]:
    try:
        keys = json.loads(value) if value.strip() else {}
    except json.JSONDecodeError as error:
        raise CommandError(f"{SETTING} in zappa_settings.json is not JSON: {error}") from error
    if not isinstance(keys, dict) or not all(isinstance(ids, list) for ids in keys.values()):
        raise CommandError(f'{SETTING} must map roles to lists of key ids: {{"targets": ["<key id>"], ...}}.')
    return {role: list(ids) for role, ids in keys.items()}


def _write(stage: str, current: dict, value: str, path) -> None:
    """The setting into the stage's environment, then the stage re-rendered (its role may sign with the keys)."""
    current = {**current, "environment_variables": {**current.get("environment_variables", {}), SETTING: value}}
    stages.write_stage(stage, render_stage(stage, current, current_lookups(current)), path)
