"""The origin for the CDN and load runs: Django's WSGI server on a pool of warm threads, with a deep listen backlog.

`runserver` starts a thread per connection and keeps Python's backlog of a few
connections. Measured here, a burst of 50 first requests then takes 17-34 s: every
new thread races to build botocore clients (PynamoDB builds one per model on first
use), and refused SYNs wait for retransmits. On Lambda a container serves one request
at a time, so neither happens there; this server builds every client once at start-up
(as a Lambda init phase would) and serves from a fixed pool.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
WORKERS = 32


def main() -> None:
    import django

    django.setup()
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.core.wsgi import get_wsgi_application

    from mysite import aws
    from mysite.dynamo import all_models

    for model in all_models():
        model._get_connection().connection.client  # noqa: B018 - build the model's botocore client now, once
    for service in ("s3", "cognito-idp", "dynamodb"):
        aws.client(service)

    class PooledServer(WSGIServer):
        request_queue_size = 1024

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.pool = ThreadPoolExecutor(WORKERS)

        def process_request(self, request, client_address):
            self.pool.submit(self._serve, request, client_address)

        def _serve(self, request, client_address):
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    server = PooledServer(("127.0.0.1", int(sys.argv[1])), WSGIRequestHandler, allow_reuse_address=True)
    server.set_app(get_wsgi_application())
    server.serve_forever()


if __name__ == "__main__":
    main()
