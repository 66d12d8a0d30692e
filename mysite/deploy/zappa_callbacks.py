"""Zappa `callbacks`: a guard before deploying and what `zappa deploy`/`update` leave undone.

Zappa loads this file by its path, outside Django and outside the project's import path:
standard library and boto3 only.
"""

from __future__ import annotations

import json

import boto3

PLACEHOLDERS = ("ACCOUNT_ID", "PENDING_PROVISION")


class NotReadyError(Exception):
    """The stage still has values only `manage.py zappa_settings` can know."""


def check_ready(cli) -> None:
    """`callbacks.settings`: refuse to deploy a stage whose ARNs are still placeholders (packaging is fine)."""
    if getattr(cli, "command", "") not in {"deploy", "update"}:
        return
    text = json.dumps(cli.stage_config)
    found = [p for p in PLACEHOLDERS if p in text]
    if found:
        raise NotReadyError(
            f"Stage {cli.api_stage} still has {', '.join(found)}: run `manage.py provision` and "
            f"`manage.py zappa_settings --stage {cli.api_stage}` first (see docs/deploy.md)."
        )


def post_deploy(cli) -> None:
    """`callbacks.post`: wire the DynamoDB Streams Zappa could not, with their failure handling; bound async retries."""
    session = getattr(cli.zappa, "boto_session", None) or boto3.Session(region_name=cli.stage_config.get("aws_region"))
    client = session.client("lambda")
    for arn, what in ensure_stream_mappings(client, cli.lambda_name, cli.stage_config.get("events", [])):
        print(f"{what.capitalize()} the event source mapping for {arn}")
    if ensure_async_failures(client, cli.lambda_name, cli.stage_config.get("async_event_failures")):
        print(f"Set the asynchronous invoke configuration of {cli.lambda_name}")
    apigateway = session.client("apigateway")
    api_id = next((a["id"] for a in apigateway.get_rest_apis(limit=500)["items"] if a["name"] == cli.lambda_name), None)
    routes = cli.stage_config.get("api_gateway_cached_routes", [])
    if api_id and ensure_api_cache(apigateway, api_id, cli.api_stage, routes):
        print(f"API Gateway caching: {'public GET routes only' if routes else 'off'}")


def mapping_failure_settings(source: dict) -> dict:
    """The failure handling a stream's `event_source` declares, as CreateEventSourceMapping takes it."""
    wanted = {
        "MaximumRetryAttempts": source.get("maximum_retry_attempts", 2),
        "MaximumRecordAgeInSeconds": source.get("maximum_record_age_in_seconds", 21600),
        "BisectBatchOnFunctionError": source.get("bisect_batch_on_function_error", True),
        "FunctionResponseTypes": source.get("function_response_types", ["ReportBatchItemFailures"]),
    }
    if source.get("on_failure_destination"):
        wanted["DestinationConfig"] = {"OnFailure": {"Destination": source["on_failure_destination"]}}
    return wanted


def _differs(current: dict, wanted: dict) -> bool:
    def on_failure(config: dict | None) -> str | None:
        return ((config or {}).get("OnFailure") or {}).get("Destination")

    for key, value in wanted.items():
        if key == "DestinationConfig":
            # AWS answers with an empty OnSuccess beside OnFailure: only the failure destination is ours.
            if on_failure(current.get(key)) != on_failure(value):
                return True
        elif current.get(key) != value:
            return True
    return False


def ensure_stream_mappings(client, function_name: str, events: list[dict]) -> list[tuple[str, str]]:
    """Create each stream's event source mapping, or bring an existing one's failure handling up to date.

    Zappa 0.63 creates DynamoDB mappings without StartingPosition, which AWS requires
    for streams, and only logs the refusal: without this the welcome emails never go out.
    Without a retry bound one failing record would block its shard until it ages out (24 h).
    Returns (stream ARN, "created" or "updated") for what changed.
    """
    changed = []
    for event in events:
        source = event.get("event_source", {})
        arn = source.get("arn", "")
        if not (arn.startswith("arn:aws:dynamodb:") and "/stream/" in arn):
            continue
        wanted = mapping_failure_settings(source)
        existing = client.list_event_source_mappings(FunctionName=function_name, EventSourceArn=arn)
        if existing["EventSourceMappings"]:
            [current, *_] = existing["EventSourceMappings"]
            if _differs(current, wanted):
                client.update_event_source_mapping(UUID=current["UUID"], **wanted)
                changed.append((arn, "updated"))
            continue
        client.create_event_source_mapping(
            FunctionName=function_name,
            EventSourceArn=arn,
            StartingPosition=source.get("starting_position", "TRIM_HORIZON"),
            BatchSize=source.get("batch_size", 100),
            Enabled=source.get("enabled", True),
            **wanted,
        )
        changed.append((arn, "created"))
    return changed


def ensure_async_failures(client, function_name: str, config: dict | None) -> bool:
    """PutFunctionEventInvokeConfig from the stage's `async_event_failures`; True if it changed anything."""
    if not config:
        return False
    wanted = {
        "MaximumRetryAttempts": config["maximum_retry_attempts"],
        "MaximumEventAgeInSeconds": config["maximum_event_age_in_seconds"],
        "DestinationConfig": {"OnFailure": {"Destination": config["on_failure_destination"]}},
    }
    try:
        current = client.get_function_event_invoke_config(FunctionName=function_name)
    except client.exceptions.ResourceNotFoundException:
        current = {}
    if current and not _differs(current, wanted):
        return False
    client.put_function_event_invoke_config(FunctionName=function_name, **wanted)
    return True


def _escaped(path: str) -> str:
    # Stage method settings name a resource by its path with "/" written as "~1".
    return path.replace("/", "~1")


def _ensure_resource(client, api_id: str, resources: dict[str, dict], path: str) -> str:
    if path in resources:
        return resources[path]["id"]
    parent_path, _, part = path.rpartition("/")
    parent = resources[parent_path or "/"]["id"]
    created = client.create_resource(restApiId=api_id, parentId=parent, pathPart=part)
    resources[path] = created
    return created["id"]


def _ensure_cached_get(client, api_id: str, resource: dict, resource_id: str, route: dict, uri: str) -> bool:
    """A GET method with a Lambda proxy integration keyed by the path and the route's query strings."""
    proxied = resource.get("path", "").endswith("{proxy+}") or resource.get("pathPart") == "{proxy+}"
    parameters = {f"method.request.querystring.{name}": False for name in route["query"]}
    if proxied:
        parameters["method.request.path.proxy"] = True
    key = sorted(parameters)
    if "GET" in (resource.get("resourceMethods") or {}):
        current = client.get_integration(restApiId=api_id, resourceId=resource_id, httpMethod="GET")
        if sorted(current.get("cacheKeyParameters", [])) == key and current.get("uri") == uri:
            return False
    else:
        client.put_method(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod="GET",
            authorizationType="NONE",
            requestParameters=parameters,
        )
    client.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=uri,
        cacheKeyParameters=key,
    )
    return True


def api_cache_operations(routes: list[dict]) -> list[dict]:
    """Stage method settings: no caching anywhere, then each public route's GET cached for its TTL."""
    operations = [{"op": "replace", "path": "/*/*/caching/enabled", "value": "false"}]
    for route in routes:
        for path in (f"/{route['path']}", f"/{route['path']}/{{proxy+}}"):
            operations += [
                {"op": "replace", "path": f"/{_escaped(path)}/GET/caching/enabled", "value": "true"},
                {
                    "op": "replace",
                    "path": f"/{_escaped(path)}/GET/caching/ttlInSeconds",
                    "value": str(route["ttl_seconds"]),
                },
            ]
    return operations


def ensure_api_cache(client, api_id: str, stage: str, routes: list[dict]) -> bool:
    """Apply the stage's API Gateway caching (none, or the public GET routes); True if anything changed.

    Zappa turns on every method's cache with the cluster; its one `{proxy+}` method has no
    cache key, so one user's answer would be served to the next. Caching is switched off
    there on every deploy, with or without a cluster, and on only for the rendered routes.
    """
    resources = {r["path"]: r for r in client.get_resources(restApiId=api_id, limit=500)["items"]}
    changed = False
    if routes:
        catch_all = resources["/{proxy+}"]
        uri = client.get_integration(restApiId=api_id, resourceId=catch_all["id"], httpMethod="ANY")["uri"]
        for route in routes:
            for path in (f"/{route['path']}", f"/{route['path']}/{{proxy+}}"):
                resource_id = _ensure_resource(client, api_id, resources, path)
                changed |= _ensure_cached_get(client, api_id, resources[path], resource_id, route, uri)
        if changed:
            client.create_deployment(restApiId=api_id, stageName=stage, description="Cached public GET routes")
    wanted = api_cache_operations(routes)
    current = client.get_stage(restApiId=api_id, stageName=stage).get("methodSettings", {})

    def setting(path: str) -> str | None:
        resource_method, _, key = path.lstrip("/").rpartition("/caching/")
        # The stage names methods as the patch paths do: "~1blog/GET", "*/*".
        value = current.get(resource_method, {}).get(
            {"enabled": "cachingEnabled", "ttlInSeconds": "cacheTtlInSeconds"}[key]
        )
        return None if value is None else str(value).lower()

    missing = [op for op in wanted if setting(op["path"]) != op["value"]]
    if missing:
        client.update_stage(restApiId=api_id, stageName=stage, patchOperations=missing)
    return changed or bool(missing)
