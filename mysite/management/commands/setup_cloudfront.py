"""One CloudFront distribution for the stage, its behaviours from the edge table (mysite/edge.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mysite import edge
from mysite.deploy import cloudfront as cf
from mysite.deploy import naming
from mysite.deploy.aws import account_id
from mysite.management.report import ChangeReport


class Command(BaseCommand):
    help = (
        "Create or update the stage's CloudFront distribution (static, media and artifacts from the bucket through "
        "Origin Access Control; everything else from API Gateway), standard logs into the bucket's cdn-logs/, "
        "and a bucket policy that admits only it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stage", default=None, help="Zappa stage whose API is the origin (default: DEPLOY_STAGE)."
        )
        parser.add_argument("--api-domain", default="", help="The API origin's host, if not Zappa's `mysite-<stage>`.")
        parser.add_argument("--alias", action="append", default=[], help="A custom domain name (repeatable).")
        parser.add_argument("--certificate-arn", default="", help="ACM certificate (us-east-1) for the aliases.")
        parser.add_argument("--price-class", default="PriceClass_100", help="CloudFront price class.")
        parser.add_argument("--dry-run", action="store_true", help="Print what would change; change nothing.")

    def handle(
        self, *args, stage=None, api_domain="", alias=(), certificate_arn="", price_class="", dry_run=False, **o
    ):
        if alias and not certificate_arn:
            raise CommandError("--alias needs --certificate-arn (an ACM certificate in us-east-1 covering it).")
        stage = stage or getattr(settings, "DEPLOY_STAGE", "") or "production"
        bucket = settings.AWS_STORAGE_BUCKET_NAME
        self.report = ChangeReport(self, dry_run=dry_run)

        api_id = None
        if not api_domain:
            api_id = cf.find_rest_api(f"mysite-{stage}")
            if not api_id:
                raise CommandError(f"No API Gateway API named mysite-{stage}: run `zappa deploy {stage}` first.")
            api_domain = cf.api_domain(api_id)
        self.report.line("origin", f"api {api_domain}/{stage}")

        oac_name = naming.origin_access_control_name(bucket)
        oac_id = cf.find_origin_access_control(oac_name)
        if oac_id:
            self.ok(f"origin access control {oac_name}")
        else:
            oac_id = self.change(
                f"create origin access control {oac_name}", lambda: cf.create_origin_access_control(oac_name)
            )

        ownership = cf.bucket_object_ownership(bucket)
        if ownership in {None, cf.LOG_OBJECT_OWNERSHIP}:
            self.ok(f"bucket {bucket} accepts CloudFront's log delivery ({cf.LOG_PREFIX})")
        else:
            self.change(
                f"bucket {bucket}: Object Ownership {cf.LOG_OBJECT_OWNERSHIP} (was {ownership}) for standard logs",
                lambda: cf.put_bucket_object_ownership(bucket, cf.LOG_OBJECT_OWNERSHIP),
            )

        policy_ids = {}
        for policy in edge.custom_cache_policies():
            policy_ids[policy.name] = self.ensure_cache_policy(policy, stage) or f"(new {policy.name})"

        origins = cf.Origins(
            bucket=bucket,
            region=settings.AWS_REGION,
            api_domain=api_domain,
            api_stage=stage,
            origin_access_control_id=oac_id or "(new)",
        )
        wanted = cf.distribution_config(
            origins,
            aliases=list(alias),
            certificate_arn=certificate_arn,
            price_class=price_class,
            policy_ids=policy_ids,
        )
        existing = cf.find_distribution(naming.distribution_comment(bucket))
        if existing is None:
            distribution = self.change("create distribution", lambda: cf.create_distribution(wanted))
        else:
            distribution = existing
            update = cf.distribution_changes(existing["Id"], wanted)
            if update is None:
                self.ok(f"distribution {existing['Id']}")
            else:
                config, etag = update
                distribution = (
                    self.change(
                        f"update distribution {existing['Id']} in place",
                        lambda: cf.update_distribution(existing["Id"], config, etag),
                    )
                    or existing
                )

        if distribution:
            policy = cf.bucket_policy(bucket=bucket, account=account_id(), distribution_id=distribution["Id"])
            if cf.current_bucket_policy(bucket) == policy:
                self.ok(f"bucket policy of {bucket} (only this distribution reads)")
            else:
                self.change(
                    f"bucket policy of {bucket}: only this distribution reads",
                    lambda: cf.put_bucket_policy(bucket, policy),
                )

        if api_id:
            operations = cf.api_cache_patch(api_id, stage)
            if operations:
                self.change(
                    "API Gateway: no per-method caching (one {proxy+} method, no cache key)",
                    lambda: cf.apply_api_cache_patch(api_id, stage, operations),
                )
            else:
                self.ok("API Gateway method caching off")

        if distribution:
            self.report.line("domain", f"{distribution['DomainName']}  (distribution {distribution['Id']})")
            self.stdout.write(
                "  next     manage.py zappa_settings --stage "
                f"{stage}  (writes CLOUDFRONT_DISTRIBUTION_ID and CDN_DOMAIN), then zappa update {stage}"
            )
        self.report.summary(unchanged="No changes: the distribution is as configured.")

    def ensure_cache_policy(self, policy: edge.CachePolicy, stage: str) -> str | None:
        """The id of the stage's copy of `policy`, created or brought up to date (None in a dry run)."""
        name = cf.cache_policy_name(policy, stage)
        wanted = edge.cache_policy_config(policy, name=name)
        found = cf.find_cache_policy(name)
        if found is None:
            return self.change(f"create cache policy {name}", lambda: cf.create_cache_policy(wanted))
        policy_id, current = found
        if cf.contains(current, wanted):
            self.ok(f"cache policy {name}")
        else:
            self.change(f"update cache policy {name}", lambda: cf.update_cache_policy(policy_id, wanted))
        return policy_id

    def ok(self, what: str) -> None:
        self.report.ok(what)

    def change(self, what: str, apply):
        return self.report.change(what, apply)
