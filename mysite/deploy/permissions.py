"""What IAM must allow for the AWS calls the function makes, and whether a policy allows it.

`required_for(call)` maps one recorded call (`mysite.deploy.botocalls`) to the IAM actions
and resource ARNs AWS authorises it against; `platform_needs(stage)` adds what Lambda itself
does with the function's role (its logs, reading the Streams that feed it, sending failed
events to the dead-letter queue). `denied(statements, needs)` evaluates identity-policy
statements as IAM does for one account: an explicit Deny wins, otherwise some Allow must
match the action and the resource (`*` and `?` wildcards) and its conditions.

No library fits: policyuniverse and parliament parse and lint policies but do not decide
whether a request is allowed, and none maps API operations to their IAM actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import botocore.session

from mysite.deploy.botocalls import Call

# IAM's prefix for services whose API name differs from it.
IAM_PREFIX = {"dynamodbstreams": "dynamodb", "sesv2": "ses", "email": "ses"}

# S3 is the service whose actions are not its operations' names.
S3_OBJECT_ACTIONS = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListParts": "s3:ListMultipartUploadParts",
    "GetObjectTagging": "s3:GetObjectTagging",
    "PutObjectTagging": "s3:PutObjectTagging",
}
S3_BUCKET_ACTIONS = {
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
}
TRANSACT_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
    "Get": "dynamodb:GetItem",
}


class UnmappedCall(Exception):
    """A call whose IAM action and resource this module does not know yet: add it here."""


@dataclass(frozen=True)
class Need:
    """One authorisation AWS makes: this action on this resource, with these condition keys."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()
    why: str = field(default="", compare=False)

    def __str__(self) -> str:
        context = "".join(f" {k}={v}" for k, v in self.context)
        return f"{self.action} on {self.resource}{context} ({self.why})"


@cache
def _service_model(service: str):
    return botocore.session.get_session().get_service_model(service)


def unauthenticated(service: str, operation: str) -> bool:
    """True for operations AWS serves without credentials (sign-up, sign-in, web identity), per botocore's model."""
    model = _service_model(service).operation_model(operation)
    return model.auth_type == "none" or "smithy.api#noAuth" in (model.auth or [])


def required_for(call: Call, *, region: str, account: str) -> list[Need]:
    """The IAM authorisations behind one AWS call (none for an unauthenticated operation)."""
    if unauthenticated(call.service, call.operation):
        return []
    why = f"{call.service}:{call.operation} from {call.origin or 'a library thread'}"
    params = call.params
    if call.service == "s3":
        return _s3(call.operation, params, why, presigned=call.presigned)
    if call.service in {"dynamodb", "dynamodbstreams"}:
        return _dynamodb(call.operation, params, why, region=region, account=account)
    prefix = IAM_PREFIX.get(call.service, call.service)
    action = f"{prefix}:{call.operation}"
    if call.service == "cognito-idp":
        return [Need(action, f"arn:aws:cognito-idp:{region}:{account}:userpool/{params['UserPoolId']}", why=why)]
    if call.service == "secretsmanager":
        # Secrets Manager authorises the secret's full ARN (name plus a random six-character suffix).
        return [Need(action, f"arn:aws:secretsmanager:{region}:{account}:secret:{params['SecretId']}-AbCdEf", why=why)]
    if call.service == "cloudfront":
        return [Need(action, f"arn:aws:cloudfront::{account}:distribution/{params['DistributionId']}", why=why)]
    if call.service in {"ses", "sesv2"}:
        source = params.get("Source") or params.get("FromEmailAddress") or ""
        domain = source.rsplit("<", 1)[-1].rstrip(">").rsplit("@", 1)[-1]
        return [Need(action, f"arn:aws:ses:{region}:{account}:identity/{domain}", why=why)]
    raise UnmappedCall(f"No IAM mapping for {why}")


def _s3(operation: str, params: dict, why: str, *, presigned: bool = False) -> list[Need]:
    bucket = params.get("Bucket", "")
    if operation in S3_OBJECT_ACTIONS:
        needs = [Need(S3_OBJECT_ACTIONS[operation], f"arn:aws:s3:::{bucket}/{params['Key']}", why=why)]
        if operation in {"GetObject", "HeadObject"} and not presigned:
            # Without s3:ListBucket S3 answers a missing key with 403, not the 404 the code treats as absent.
            needs.append(Need("s3:ListBucket", f"arn:aws:s3:::{bucket}", why=f"{why}: 404 for a missing key"))
        return needs
    if operation in S3_BUCKET_ACTIONS:
        context = (("s3:prefix", params.get("Prefix", "")),) if S3_BUCKET_ACTIONS[operation] == "s3:ListBucket" else ()
        return [Need(S3_BUCKET_ACTIONS[operation], f"arn:aws:s3:::{bucket}", context, why=why)]
    if operation == "CopyObject":
        source = params["CopySource"]
        if isinstance(source, str):
            source_bucket, _, source_key = source.lstrip("/").partition("/")
        else:
            source_bucket, source_key = source["Bucket"], source["Key"]
        return [
            Need("s3:GetObject", f"arn:aws:s3:::{source_bucket}/{source_key}", why=why),
            Need("s3:PutObject", f"arn:aws:s3:::{bucket}/{params['Key']}", why=why),
        ]
    if operation == "DeleteObjects":
        return [
            Need("s3:DeleteObject", f"arn:aws:s3:::{bucket}/{item['Key']}", why=why)
            for item in params["Delete"]["Objects"]
        ]
    raise UnmappedCall(f"No IAM mapping for {why}")


def _dynamodb(operation: str, params: dict, why: str, *, region: str, account: str) -> list[Need]:
    def table(name: str, index: str | None = None) -> str:
        arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    if operation in {"TransactWriteItems", "TransactGetItems"}:
        return [
            Need(TRANSACT_ACTIONS[kind], table(body["TableName"]), why=why)
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if operation in {"BatchGetItem", "BatchWriteItem"}:
        return [Need(f"dynamodb:{operation}", table(name), why=why) for name in params["RequestItems"]]
    if "StreamArn" in params:
        return [Need(f"dynamodb:{operation}", params["StreamArn"], why=why)]
    if "TableName" in params:
        return [Need(f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName")), why=why)]
    raise UnmappedCall(f"No IAM mapping for {why}")


def platform_needs(stage: dict, *, function_name: str, account: str, dead_letter_queue_arn: str | None) -> list[Need]:
    """What Lambda does with the function's role: write its logs, poll its Streams, send failures to the DLQ."""
    region = stage["aws_region"]
    log_group = f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{function_name}"
    needs = [
        Need("logs:CreateLogGroup", log_group, why="Lambda creates the function's log group"),
        Need("logs:CreateLogStream", f"{log_group}:log-stream:2026/01/01/[$LATEST]0", why="Lambda opens a log stream"),
        Need("logs:PutLogEvents", f"{log_group}:log-stream:2026/01/01/[$LATEST]0", why="Lambda writes the log"),
    ]
    for event in stage.get("events", []):
        arn = event.get("event_source", {}).get("arn", "")
        if arn.startswith("arn:aws:dynamodb:") and "/stream/" in arn:
            for action in ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams"):
                needs.append(Need(f"dynamodb:{action}", arn, why=f"Lambda polls {arn}"))
    if dead_letter_queue_arn:
        needs.append(
            Need("sqs:SendMessage", dead_letter_queue_arn, why="Lambda sends given-up events to the dead-letter queue")
        )
    return needs


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value or [])


def _matches(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    # IAM wildcards: `*` any run of characters, `?` exactly one; nothing else is special.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


_STRING_CONDITIONS = {
    "StringEquals": lambda pattern, value: pattern == value,
    "StringLike": lambda pattern, value: _matches(pattern, value, case_sensitive=True),
    "ArnEquals": lambda pattern, value: _matches(pattern, value, case_sensitive=True),
}
# Negated operators hold when the value matches none of the patterns, or when the key is absent.
_NEGATED_CONDITIONS = {"ArnNotEquals": "ArnEquals"}


def _conditions_hold(condition: dict, context: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        negated = operator in _NEGATED_CONDITIONS
        check = _STRING_CONDITIONS.get(_NEGATED_CONDITIONS.get(operator, operator))
        if check is None:
            return False  # an operator this evaluator does not know never grants
        for key, patterns in tests.items():
            value = context.get(key)
            matched = value is not None and any(check(p, value) for p in _as_list(patterns))
            if matched == negated:
                return False
    return True


def statement_applies(statement: dict, need: Need) -> bool:
    """Does the statement cover the request (action, resource, conditions)? NotAction/NotResource are refused."""
    if "NotAction" in statement or "NotResource" in statement or "NotPrincipal" in statement:
        raise ValueError(f"Statement {statement.get('Sid')!r} uses a Not* element; keep the role's policy explicit.")
    if not any(_matches(a, need.action, case_sensitive=False) for a in _as_list(statement.get("Action"))):
        return False
    if not any(_matches(r, need.resource, case_sensitive=True) for r in _as_list(statement.get("Resource"))):
        return False
    return _conditions_hold(statement.get("Condition", {}), dict(need.context))


def allowed(statements: list[dict], need: Need) -> bool:
    applicable = [s for s in statements if statement_applies(s, need)]
    return any(s["Effect"] == "Allow" for s in applicable) and not any(s["Effect"] == "Deny" for s in applicable)


def denied(statements: list[dict], needs: list[Need]) -> list[Need]:
    """The needs the statements do not allow (unique, in order; each distinct need is evaluated once)."""
    return [n for n in dict.fromkeys(needs) if not allowed(statements, n)]


def unused_actions(statements: list[dict], needs: list[Need]) -> list[tuple[str, str]]:
    """(Sid, action) pairs of Allow statements that no need uses."""
    needs = list(dict.fromkeys(needs))  # a recorded run repeats the same few needs thousands of times
    unused = []
    for statement in statements:
        if statement["Effect"] != "Allow":
            continue
        for action in _as_list(statement["Action"]):
            single = {**statement, "Action": [action]}
            if not any(statement_applies(single, n) for n in needs):
                unused.append((statement.get("Sid", ""), action))
    return unused


def policy_statements(stage: dict, attach_policy: dict) -> list[dict]:
    """The role's effective identity policy: the attach_policy document plus extra_permissions."""
    return [*attach_policy["Statement"], *stage.get("extra_permissions", [])]
