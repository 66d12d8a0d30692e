"""The edge twin: nginx generated from mysite/edge.py in front of three origin processes on the test stack."""

from __future__ import annotations

import re

import pytest
import requests

from mysite import edge
from tests.conftest import edge_twin


@pytest.fixture(scope="module")
def twin(local_stack):
    """Three origin processes (each its own memory) on this test process's stack, behind the generated twin."""
    with edge_twin(3) as (nginx, origins):
        yield nginx, origins


@pytest.fixture(scope="module")
def product(local_stack) -> str:
    from benchmarks.seed import _updates
    from mysite.dispatcher import Dispatcher

    return _updates(Dispatcher())[1]


def test_the_twin_runs_the_configuration_the_generator_renders(twin):
    nginx, _ = twin
    assert (nginx.prefix / "edge-maps.conf").read_text() == edge.nginx_maps()
    assert (nginx.prefix / "edge-locations.conf").read_text() == edge.nginx_locations()
    conf = (nginx.prefix / "nginx.conf").read_text()
    assert f"include {nginx.prefix}/edge-locations.conf;" in conf
    assert not re.search(r"^\s*location\b", conf, re.MULTILINE)  # every location comes from the table


def test_a_public_update_check_is_served_from_the_cache_the_second_time(twin, product):
    nginx, _ = twin
    url = f"{nginx.url}/api/updates/{product}/stable/linux-x64/1.0.0?bucket=7&utm_source=mail"
    first, second = requests.get(url, timeout=10), requests.get(url, timeout=10)
    assert first.status_code == 200
    assert first.json()["version"] == "1.1.0"
    assert first.headers["X-Cache"] == "MISS"
    assert second.headers["X-Cache"] == "HIT"
    assert second.json() == first.json()
    # A parameter outside the cache key is not part of it, and the origin never saw it.
    other = requests.get(url.replace("utm_source=mail", "utm_source=feed"), timeout=10)
    assert other.headers["X-Cache"] == "HIT"


def test_invalidating_a_path_removes_every_query_string_version_of_it_as_cloudfront_does(twin, product):
    nginx, _ = twin
    path = f"/api/updates/{product}/stable/linux-x64/1.0.0"
    urls = [f"{nginx.url}{path}?bucket={bucket}" for bucket in (3, 4)]
    other = f"{nginx.url}/api/updates/{product}/stable/linux-x64/1.0.1?bucket=3"  # a longer path is not the path
    for url in [*urls, other]:
        requests.get(url, timeout=10)
        assert requests.get(url, timeout=10).headers["X-Cache"] == "HIT"
    assert nginx.purge([path]) >= 2  # with any other bucket a test here asked for
    assert [requests.get(url, timeout=10).headers["X-Cache"] for url in urls] == ["MISS", "MISS"]
    assert requests.get(other, timeout=10).headers["X-Cache"] == "HIT"


def test_a_cached_route_gives_a_signed_in_reader_the_anonymous_answer(twin, product, user):
    nginx, _ = twin
    url = f"{nginx.url}/updates/{product}/appcast.xml?platform=linux-x64"
    anonymous = requests.get(url, timeout=10)
    signed_in = requests.get(url, headers={"Authorization": f"Bearer {user.access_token}"}, timeout=10)
    assert signed_in.content == anonymous.content
    assert signed_in.headers["X-Cache"] == "HIT"


def test_signed_in_apis_pass_through_to_each_users_own_answer(twin, make_user):
    nginx, _ = twin
    answers = {}
    for name in ("Ann", "Ben"):
        member = make_user(name=name)
        headers = {"Authorization": f"Bearer {member.access_token}"}
        made = requests.post(
            f"{nginx.url}/api/todos/lists", json={"name": f"{name}'s list"}, headers=headers, timeout=10
        )
        assert made.status_code == 201, made.text
        answer = requests.get(f"{nginx.url}/api/todos/lists", headers=headers, timeout=10)
        assert answer.status_code == 200
        assert answer.headers.get("X-Cache", "") == ""  # proxy_cache off: not even looked up
        answers[name] = [item["name"] for item in answer.json()["results"]]
    assert "Ann's list" in answers["Ann"]
    assert "Ann's list" not in answers["Ben"]
    assert "Ben's list" in answers["Ben"]


def test_a_write_to_a_cached_behaviour_is_refused_at_the_edge(twin, product):
    nginx, _ = twin
    answer = requests.post(f"{nginx.url}/api/updates/{product}/stable/linux-x64/1.0.0", json={}, timeout=10)
    assert answer.status_code == 403
    assert answer.headers.get("Server", "").startswith("nginx")


def test_requests_are_spread_over_every_origin_process(twin):
    nginx, origins = twin
    for _ in range(9):
        assert requests.get(f"{nginx.url}/health", timeout=10).status_code == 200
    used = nginx.origins_used()
    assert set(used) == {f"127.0.0.1:{port}" for port in origins.ports}
    assert min(used.values()) >= 3
