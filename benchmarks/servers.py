"""The origin (Django on a real HTTP server), nginx as a shared cache in front, a CloudFront stand-in to purge it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree

import requests

from devstack.stack import free_port

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION_ID = "EBENCHNGINX"
ORIGIN_COUNT = 3  # origin processes behind the twin by default, each with its own memory like Lambda containers
NGINX_CONF = """
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format cache '$upstream_cache_status $status $body_bytes_sent $upstream_bytes_received $request_uri '
                     '$upstream_addr';
    access_log {prefix}/access.log cache;
    # CloudFront's standard log format (33 tab-separated fields, UTC), which updates.cdn_logs counts downloads from.
    map $time_iso8601 $cf_date {{ "~^(?<d>[0-9-]+)T" $d; }}
    map $time_iso8601 $cf_time {{ "~T(?<t>[0-9:]+)" $t; }}
    map $request_uri $cf_stem {{ "~^(?<p>[^?]*)" $p; }}
    map $args $cf_query {{ "" "-"; default $args; }}
    map $sent_http_content_range $cf_range_start {{ "~bytes (?<s>[0-9]+)-" $s; default "-"; }}
    map $sent_http_content_range $cf_range_end {{ "~bytes [0-9]+-(?<e>[0-9]+)/" $e; default "-"; }}
    map $upstream_cache_status $cf_result {{ HIT Hit; STALE Hit; UPDATING Hit; default Miss; }}
    log_format cloudfront '$cf_date\t$cf_time\tTWIN1\t$bytes_sent\t$remote_addr\t$request_method\t$host\t$cf_stem\t'
                          '$status\t-\t-\t$cf_query\t-\t$cf_result\t$request_id\t$host\thttp\t$request_length\t'
                          '$request_time\t-\t-\t-\t$cf_result\t$server_protocol\t-\t-\t$remote_port\t$request_time\t'
                          '$cf_result\t$sent_http_content_type\t$body_bytes_sent\t$cf_range_start\t$cf_range_end';
    access_log {prefix}/cloudfront.log cloudfront;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy_temp;
    fastcgi_temp_path {prefix}/fastcgi_temp;
    uwsgi_temp_path {prefix}/uwsgi_temp;
    scgi_temp_path {prefix}/scgi_temp;
    # The edge's own behaviour (what is cached, under which key, for how long) comes from mysite/edge.py only:
    # no proxy_cache_valid defaults here. Request collapsing, revalidation and stale-while-revalidate are
    # CloudFront's too.
    proxy_cache_path {prefix}/cache levels=1:2 keys_zone=edge:20m max_size=2g inactive=1h use_temp_path=off;
    proxy_cache_revalidate on;
    proxy_cache_lock on;
    proxy_cache_background_update on;
    proxy_cache_use_stale updating;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    # Round-robin over the origin processes, as API Gateway spreads requests over Lambda containers.
    upstream api-gateway {{
{api_servers}
        keepalive 32;
    }}
    upstream site-bucket {{
        server 127.0.0.1:{bucket_port};
        keepalive 8;
    }}
    # The app builds absolute URLs (feeds, artifact links) from Host: they point at the twin.
    map $host $edge_origin_host {{ default "127.0.0.1:{port}"; }}
    map $host $edge_bucket_root {{ default "/{bucket}"; }}
    include {prefix}/edge-maps.conf;
    server {{
        listen 127.0.0.1:{port};
        add_header X-Cache $upstream_cache_status always;
        include {prefix}/edge-locations.conf;
    }}
}}
"""


def _cloudfront_fields() -> tuple[str, ...]:
    from updates.cdn_logs import CLOUDFRONT_FIELDS

    return CLOUDFRONT_FIELDS


def wait_for(url: str, *, seconds: float = 120) -> None:
    """Until `url` answers: an origin builds its clients for every table at start-up, slow on a busy machine."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):  # a loaded machine answers the first request late
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop_process_group(process: subprocess.Popen, first: signal.Signals) -> None:
    """Stop a server started in its own process group: `first`, then SIGKILL after 10 seconds."""
    if process.poll() is None:
        os.killpg(process.pid, first)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


class Origin:
    """Django's threaded WSGI server (benchmarks.serve) on the bench stack, CloudFront pointed at the purger."""

    def __init__(self, *, purger_port: int | None = None, env: dict[str, str] | None = None):
        self.port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONUNBUFFERED": "1", **(env or {})}
        if purger_port:
            env.update(
                {
                    "CLOUDFRONT_DISTRIBUTION_ID": DISTRIBUTION_ID,
                    "AWS_ENDPOINT_URL_CLOUDFRONT": f"http://127.0.0.1:{purger_port}",
                    "AWS_ACCESS_KEY_ID": "bench",
                    "AWS_SECRET_ACCESS_KEY": "bench",
                }
            )
        self.log = tempfile.NamedTemporaryFile(prefix="bench-origin-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.serve", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )
        wait_for(f"{self.url}/health")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_process_group(self.process, signal.SIGTERM)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


class Origins:
    """N independent origin processes (each its own memory, like Lambda containers); N=1 for speed."""

    def __init__(self, count: int = ORIGIN_COUNT, *, purger_port: int | None = None, env: dict | None = None):
        self.members: list[Origin] = []
        try:
            for _ in range(count):
                self.members.append(Origin(purger_port=purger_port, env=env))
        except BaseException:
            self.stop()
            raise

    @property
    def ports(self) -> list[int]:
        return [member.port for member in self.members]

    @property
    def urls(self) -> list[str]:
        return [member.url for member in self.members]

    def stop(self) -> None:
        for member in self.members:
            member.stop()


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("nginx is missing: sudo apt-get install -y nginx-light (make bench does this)")
    return found


class Nginx:
    """The edge twin: nginx with the configuration mysite.edge renders, on a loopback port, in a throw-away prefix."""

    def __init__(self, origin_ports: list[int], *, bucket_port: int | None = None, bucket: str = ""):
        from django.conf import settings

        from mysite import edge

        self.prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        self.port = free_port()
        if bucket_port is None:
            bucket_port = int(os.environ.get("BENCH_S3_PORT") or os.environ.get("DEVSTACK_S3_PORT") or 4569)
        user = "user root root;" if os.geteuid() == 0 else ""
        conf = NGINX_CONF.format(
            user=user,
            prefix=self.prefix,
            port=self.port,
            api_servers="\n".join(f"        server 127.0.0.1:{port};" for port in origin_ports),
            bucket_port=bucket_port,
            bucket=bucket or settings.AWS_STORAGE_BUCKET_NAME,
        )
        (self.prefix / "nginx.conf").write_text(conf)
        (self.prefix / "edge-maps.conf").write_text(edge.nginx_maps())
        (self.prefix / "edge-locations.conf").write_text(edge.nginx_locations())
        (self.prefix / "cache").mkdir()
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for(f"{self.url}/health")
        except RuntimeError:
            log = self.prefix / "error.log"
            raise RuntimeError(log.read_text()[-2000:] if log.exists() else "nginx did not start") from None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def purge(self, paths: Iterable[str]) -> int:
        """CloudFront's invalidation semantics on nginx's cache files: a path, or a prefix ending in `*`.

        As on CloudFront, a path removes every cached version of it, whatever its query string (a blog
        page's later pages, `?cursor=...`, go with the page).
        """
        patterns = list(paths)
        removed = 0
        for cache_file in (self.prefix / "cache").rglob("*"):
            if not cache_file.is_file():
                continue
            try:
                head = cache_file.read_bytes()[:4096]
            except OSError:
                continue
            match = re.search(rb"\nKEY: ([^\n]*)\n", head)
            if not match:
                continue
            key = match.group(1).decode("latin-1")
            path = key.split("?", 1)[0]
            if any(key.startswith(p[:-1]) if p.endswith("*") else path == p for p in patterns):
                cache_file.unlink(missing_ok=True)
                removed += 1
        return removed

    def log_lines(self) -> list[list[str]]:
        """(cache status, status, bytes sent, bytes from the origin, request URI) per request."""
        path = self.prefix / "access.log"
        if not path.exists():
            return []
        return [line.rsplit(" ", 1)[0].split(" ", 4) for line in path.read_text().splitlines()]

    def ship_cloudfront_log(self, *, distribution: str = DISTRIBUTION_ID) -> str:
        """Upload the twin's CloudFront-format log to cdn-logs/ as CloudFront would (gzipped), then empty it.

        The upload notification runs updates.events.cdn_log_handler, as the S3 event does on AWS.
        """
        import gzip

        from mysite import aws, storage

        path = self.prefix / "cloudfront.log"
        header = "#Version: 1.0\n#Fields: " + " ".join(_cloudfront_fields()) + "\n"
        body = header + (path.read_text() if path.exists() else "")
        hour = time.strftime("%Y-%m-%d-%H", time.gmtime())
        key = f"cdn-logs/{distribution}.{hour}.{uuid.uuid4().hex[:8]}.gz"
        aws.client("s3").put_object(Bucket=storage.bucket(), Key=key, Body=gzip.compress(body.encode()))
        path.write_text("")
        return key

    def origins_used(self) -> Counter:
        """Requests that reached each origin process (by its address), from the access log."""
        path = self.prefix / "access.log"
        lines = path.read_text().splitlines() if path.exists() else []
        return Counter(address for line in lines if (address := line.rsplit(" ", 1)[1]) != "-")

    def stop(self) -> None:
        stop_process_group(self.process, signal.SIGQUIT)  # nginx's graceful shutdown
        shutil.rmtree(self.prefix, ignore_errors=True)


class Purger:
    """Answers CloudFront's CreateInvalidation (REST/XML) by purging nginx: the app's own call, unchanged."""

    def __init__(self):
        self.nginx: Nginx | None = None
        self.invalidations: list[list[str]] = []
        purger = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                tree = ElementTree.fromstring(body)
                paths = [element.text for element in tree.iter() if element.tag.endswith("Path")]
                purger.invalidations.append(paths)
                if purger.nginx:
                    purger.nginx.purge(paths)
                invalidation_id = f"I{uuid.uuid4().hex[:12].upper()}"
                items = "".join(f"<Path>{p}</Path>" for p in paths)
                answer = (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">'
                    f"<Id>{invalidation_id}</Id><Status>Completed</Status>"
                    "<CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch>"
                    f"<Paths><Quantity>{len(paths)}</Quantity><Items>{items}</Items></Paths>"
                    "<CallerReference>bench</CallerReference></InvalidationBatch></Invalidation>"
                ).encode()
                self.send_response(201)
                self.send_header("Content-Type", "text/xml")
                self.send_header(
                    "Location", f"/2020-05-31/distribution/{DISTRIBUTION_ID}/invalidation/{invalidation_id}"
                )
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
