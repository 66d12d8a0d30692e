"""API Gateway caching: off in every stage (no cluster); when a stage turns it on, public GET routes only."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from django.test import Client

from mysite.deploy import stages
from mysite.deploy.api_cache import PUBLIC_GET_ROUTES, SMALLEST_CLUSTER
from mysite.deploy.cloudfront import api_cache_patch
from mysite.deploy.render import current_lookups, render_stage
from mysite.deploy.zappa_callbacks import ensure_api_cache
from tests.updates.conftest import Catalog

# Routes that carry a user's state: never under a cached prefix.
AUTHENTICATED_PREFIXES = ("/api/", "/accounts/", "/admin/", "/todos/")
FUNCTION_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:mysite-production/invocations"
)


@pytest.mark.parametrize("stage", stages.STAGES)
def test_no_stage_provisions_a_cache_cluster(stage):
    config = stages.read_stage(stage)
    assert config["api_gateway_cache"] is False
    assert config["cache_cluster_enabled"] is False
    assert "cache_cluster_size" not in config
    assert config["api_gateway_cached_routes"] == []


def turned_on(stage: str) -> dict:
    current = {**stages.read_stage(stage), "api_gateway_cache": True}
    return render_stage(stage, current, current_lookups(current))


def test_turned_on_a_stage_gets_the_smallest_cluster_and_only_the_public_get_routes():
    config = turned_on("production")
    assert (config["cache_cluster_enabled"], config["cache_cluster_size"]) == (True, SMALLEST_CLUSTER["size"])
    assert SMALLEST_CLUSTER["usd_per_month"] == 14.6
    routes = config["api_gateway_cached_routes"]
    assert [r["path"] for r in routes] == ["blog", "updates", "update"]
    for route in routes:
        assert not any(f"/{route['path']}/".startswith(prefix) for prefix in AUTHENTICATED_PREFIXES)
    # Turned off again, nothing of it is left in the stage.
    off = render_stage("production", {**config, "api_gateway_cache": False}, current_lookups(config))
    assert off == stages.read_stage("production")


def s_maxage(response) -> int:
    return int(re.search(r"s-maxage=(\d+)", response["Cache-Control"]).group(1))


def test_each_cached_routes_ttl_is_the_shortest_s_maxage_its_views_send(dispatcher):
    catalog = Catalog(dispatcher)
    product = catalog.product()
    catalog.release(product, "1.0.0")
    samples = {
        "blog": ["/blog/", "/blog/rss.xml", "/blog/archive/"],
        "updates": ["/updates/", f"/updates/{product.slug}/", f"/updates/{product.slug}/appcast.xml"],
        "update": [f"/update/{product.slug}/darwin-arm64/0.9.0"],
    }
    client = Client()
    for route in PUBLIC_GET_ROUTES:
        responses = [client.get(path) for path in samples[route.path]]
        for path, response in zip(samples[route.path], responses, strict=True):
            assert response.status_code == 200, path
            assert "public" in response["Cache-Control"], path
            assert "Cookie" not in response.get("Vary", ""), path
            assert not response.cookies, path
        assert route.ttl_seconds == min(s_maxage(r) for r in responses), route.path


@pytest.fixture
def _moto_keeps_cache_key_parameters(monkeypatch):
    """moto 5.2 drops an integration's cacheKeyParameters; API Gateway keeps them, and the callback compares them."""
    from moto.apigateway.responses import APIGatewayResponse

    original = APIGatewayResponse.put_integration

    def put_integration(self):
        status, headers, _body = original(self)
        _, api_id, _, resource_id, _, method = self.path.split("/")[1:7]
        integration = self.backend.get_integration(api_id, resource_id, method)
        integration.cache_key_parameters = self._get_param("cacheKeyParameters") or []
        return status, headers, json.dumps(integration.to_json())

    monkeypatch.setattr(APIGatewayResponse, "put_integration", put_integration)


@pytest.fixture
def zappa_api(aws_account, _moto_keeps_cache_key_parameters):
    """A REST API as Zappa builds it: `/` and `/{proxy+}`, ANY, Lambda proxy; the stage with the cluster."""
    client = boto3.client("apigateway", region_name="us-east-1")
    api = client.create_rest_api(name="mysite-production")["id"]
    root = client.get_resources(restApiId=api)["items"][0]["id"]
    proxy = client.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    for resource in (root, proxy):
        client.put_method(restApiId=api, resourceId=resource, httpMethod="ANY", authorizationType="NONE")
        client.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=FUNCTION_URI,
        )
    client.create_deployment(restApiId=api, stageName="production", cacheClusterEnabled=True)
    return client, api


def test_off_every_method_is_uncached_and_no_resource_is_added(zappa_api):
    client, api = zappa_api
    assert ensure_api_cache(client, api, "production", []) is True
    settings = client.get_stage(restApiId=api, stageName="production")["methodSettings"]
    assert settings["*/*"]["cachingEnabled"] is False
    assert sorted(r["path"] for r in client.get_resources(restApiId=api)["items"]) == ["/", "/{proxy+}"]
    assert ensure_api_cache(client, api, "production", []) is False
    # So setup_cloudfront finds method caching off already and has nothing to switch.
    assert api_cache_patch(api, "production") == []


def test_on_only_the_public_get_routes_are_cached_by_path_and_query(zappa_api):
    client, api = zappa_api
    routes = turned_on("production")["api_gateway_cached_routes"]
    assert ensure_api_cache(client, api, "production", routes) is True
    resources = {r["path"]: r["id"] for r in client.get_resources(restApiId=api)["items"]}
    settings = client.get_stage(restApiId=api, stageName="production")["methodSettings"]
    assert settings["*/*"]["cachingEnabled"] is False  # the catch-all: every authenticated route
    for route in routes:
        for path in (f"/{route['path']}", f"/{route['path']}/{{proxy+}}"):
            integration = client.get_integration(restApiId=api, resourceId=resources[path], httpMethod="GET")
            assert integration["uri"] == FUNCTION_URI
            keys = set(integration["cacheKeyParameters"])
            assert {f"method.request.querystring.{q}" for q in route["query"]} <= keys
            assert ("method.request.path.proxy" in keys) == path.endswith("{proxy+}")
            method = settings[f"{path.replace('/', '~1')}/GET"]
            assert (method["cachingEnabled"], method["cacheTtlInSeconds"]) == (True, route["ttl_seconds"])
    assert ensure_api_cache(client, api, "production", routes) is False
