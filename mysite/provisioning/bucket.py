"""The site's S3 bucket and its CORS rules for direct browser uploads."""

from __future__ import annotations

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.provisioning.base import Change, Step, error_code


def bucket_cors_rules() -> list[dict]:
    return [
        {
            "AllowedOrigins": list(settings.UPLOAD_ALLOWED_ORIGINS),
            "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3600,
        }
    ]


class BucketStep(Step):
    def __init__(self):
        self.bucket = settings.AWS_STORAGE_BUCKET_NAME
        self.name = f"bucket {self.bucket}"

    def plan(self) -> list[Change]:
        s3 = aws.client("s3")
        try:
            s3.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if error_code(error) not in {"404", "NoSuchBucket", "NotFound"}:
                raise
            changes = [
                Change("create private bucket", self._create),
                Change("block all public access", self._block_public_access),
                Change("allow browser uploads (CORS)", self._put_cors),
            ]
            if getattr(settings, "S3_TRANSFER_ACCELERATION", False) and not settings.S3_ENDPOINT_URL:
                changes.append(Change("enable Transfer Acceleration", self._accelerate))
            return changes
        changes = []
        if not settings.S3_ENDPOINT_URL:  # s3rver has no public-access-block API
            try:
                config = s3.get_public_access_block(Bucket=self.bucket)["PublicAccessBlockConfiguration"]
                blocked = all(config.values())
            except ClientError:
                blocked = False
            if not blocked:
                changes.append(Change("block all public access", self._block_public_access))
        try:
            current = s3.get_bucket_cors(Bucket=self.bucket)["CORSRules"]
        except ClientError:
            current = []
        if [_normalise_cors(r) for r in current] != [_normalise_cors(r) for r in bucket_cors_rules()]:
            changes.append(Change("allow browser uploads (CORS)", self._put_cors))
        if getattr(settings, "S3_TRANSFER_ACCELERATION", False) and not settings.S3_ENDPOINT_URL:
            status = s3.get_bucket_accelerate_configuration(Bucket=self.bucket).get("Status")
            if status != "Enabled":
                changes.append(Change("enable Transfer Acceleration", self._accelerate))
        return changes

    def _create(self) -> None:
        s3 = aws.client("s3")
        kwargs = {}
        if settings.AWS_REGION != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings.AWS_REGION}
        s3.create_bucket(Bucket=self.bucket, **kwargs)

    def _block_public_access(self) -> None:
        if settings.S3_ENDPOINT_URL:
            return  # the emulator serves nothing publicly anyway
        aws.client("s3").put_public_access_block(
            Bucket=self.bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )

    def _put_cors(self) -> None:
        aws.client("s3").put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": bucket_cors_rules()})

    def _accelerate(self) -> None:
        aws.client("s3").put_bucket_accelerate_configuration(
            Bucket=self.bucket, AccelerateConfiguration={"Status": "Enabled"}
        )


def _normalise_cors(rule: dict) -> dict:
    return {k: sorted(v) if isinstance(v, list) else v for k, v in rule.items() if k != "ID"}
