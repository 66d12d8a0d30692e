"""Least-privilege IAM for the stage's Lambda role: every statement names the stage's own resources."""

from __future__ import annotations

from dataclasses import dataclass

# Every key the function reads or writes lives under one of these prefixes of the site bucket.
BUCKET_PREFIXES = ("media/", "static/", "uploads/", "artifacts/", "users/", "cdn-logs/")


@dataclass(frozen=True)
class StageResources:
    """The AWS resources of one stage, as ARNs are built from them."""

    region: str
    account: str
    tables: tuple[str, ...]
    stream_tables: tuple[str, ...]  # the tables whose Streams feed the function
    bucket: str
    user_pool_id: str
    ses_identity: str
    distribution_id: str
    secret_ids: tuple[str, ...]
    dead_letter_queue_arn: str = ""
    kms_key_ids: tuple[str, ...] = ()  # the TUF online keys (UPDATES_TUF_KMS_KEYS): key ids or key ARNs

    def table_arns(self) -> list[str]:
        arns = []
        for table in self.tables:
            base = f"arn:aws:dynamodb:{self.region}:{self.account}:table/{table}"
            arns += [base, f"{base}/index/*"]
        return arns

    def stream_arns(self) -> list[str]:
        # A stream's label changes if the table is re-created: the table is fixed, the label is not.
        return [f"arn:aws:dynamodb:{self.region}:{self.account}:table/{table}/stream/*" for table in self.stream_tables]


def lambda_statements(resources: StageResources) -> list[dict]:
    """The `extra_permissions` of the stage: only its tables, bucket prefixes, identities and secrets."""
    r = resources
    bucket_arn = f"arn:aws:s3:::{r.bucket}"
    statements = [
        {
            "Sid": "StageTables",
            "Effect": "Allow",
            "Action": [
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:Query",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:ConditionCheckItem",  # a transaction's checks of items it does not write
                "dynamodb:BatchWriteItem",
                "dynamodb:ConditionCheckItem",
            ],
            "Resource": r.table_arns(),
        },
        {
            "Sid": "StageStreams",
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            "Resource": r.stream_arns(),
        },
        {
            "Sid": "BucketObjects",
            "Effect": "Allow",
            # AbortMultipartUpload: a replaced artifact upload's parts are deleted, not kept (and billed).
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            "Resource": [f"{bucket_arn}/{prefix}*" for prefix in BUCKET_PREFIXES],
        },
        {
            "Sid": "BucketListing",
            "Effect": "Allow",
            # Nothing lists keys; S3 needs it to answer HEAD/GET of a missing key with 404 rather than 403.
            "Action": ["s3:ListBucket"],
            "Resource": [bucket_arn],
        },
        {
            "Sid": "SendEmail",
            "Effect": "Allow",
            # django-ses sends through SES v1 SendRawEmail.
            "Action": ["ses:SendRawEmail"],
            "Resource": [f"arn:aws:ses:{r.region}:{r.account}:identity/{r.ses_identity}"],
        },
        {
            "Sid": "UserPool",
            "Effect": "Allow",
            # Only the admin operations need IAM; sign-up, sign-in and the like are public Cognito calls,
            # and so are the identity pool's GetId/GetOpenIdToken and STS AssumeRoleWithWebIdentity.
            # `create_user` runs from a workstation with the deploying identity, not with this role.
            # ListUsersInGroup: a halted rollout mails the release managers (updates.ramp).
            "Action": [
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminUpdateUserAttributes",
                "cognito-idp:ListUsersInGroup",
            ],
            "Resource": [f"arn:aws:cognito-idp:{r.region}:{r.account}:userpool/{r.user_pool_id}"],
        },
        {
            "Sid": "Secrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            # Secrets Manager appends a random suffix to every secret's ARN.
            "Resource": [
                f"arn:aws:secretsmanager:{r.region}:{r.account}:secret:{name}-??????" for name in r.secret_ids
            ],
        },
    ]
    if r.dead_letter_queue_arn:
        statements.append(
            {
                "Sid": "DeadLetters",
                "Effect": "Allow",
                # Lambda sends what a stream mapping or an asynchronous invocation gave up on with the role.
                "Action": ["sqs:SendMessage"],
                "Resource": [r.dead_letter_queue_arn],
            }
        )
    if r.kms_key_ids:
        statements.append(
            {
                "Sid": "TufOnlineKeys",
                "Effect": "Allow",
                # Only signing with the configured keys; creating and scheduling their deletion is the operator's.
                "Action": ["kms:Sign", "kms:GetPublicKey"],
                "Resource": [
                    key if key.startswith("arn:") else f"arn:aws:kms:{r.region}:{r.account}:key/{key}"
                    for key in r.kms_key_ids
                ],
            }
        )
    if r.distribution_id:
        statements.append(
            {
                "Sid": "InvalidateCdn",
                "Effect": "Allow",
                "Action": ["cloudfront:CreateInvalidation"],
                "Resource": [f"arn:aws:cloudfront::{r.account}:distribution/{r.distribution_id}"],
            }
        )
    return statements


def attach_policy(*, region: str, account: str, function_name: str) -> dict:
    """Replaces Zappa's default role policy (logs:*, s3:*, dynamodb:* on every resource): logs of this function only."""
    log_group = f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{function_name}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [log_group, f"{log_group}:log-stream:*"],
            }
        ],
    }


def wildcard_resources(statements: list[dict]) -> list[str]:
    """Resources that grant more than one named resource's own sub-paths: bare `*` or a wildcard account/region."""
    found = []
    for statement in statements:
        resources = statement.get("Resource", [])
        for resource in [resources] if isinstance(resources, str) else resources:
            parts = resource.split(":")
            if (
                resource == "*"
                or any(part == "*" for part in parts[:5])
                or (len(parts) > 5 and parts[5] in {"*", "/*"})
            ):
                found.append(resource)
    return found
