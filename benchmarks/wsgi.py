"""In-process WSGI calls: the app and the bare baseline are timed through the same interface, no socket."""

from __future__ import annotations

import io
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str]


def environ_for(method: str, url: str, *, headers: dict | None = None, body: bytes = b"") -> dict:
    parts = urlsplit(url)
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        else:
            environ[f"HTTP_{key}"] = value
    return environ


def call(app, method: str, url: str, *, headers: dict | None = None, body: bytes = b"") -> Answer:
    captured: dict = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = response_headers

    chunks = app(environ_for(method, url, headers=headers, body=body), start_response)
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    cookies: dict[str, str] = {}
    for name, value in captured["headers"]:
        if name.lower() == "set-cookie":
            cookie = SimpleCookie()
            cookie.load(value)
            cookies.update({k: m.value for k, m in cookie.items()})
    return Answer(captured["status"], {k: v for k, v in captured["headers"]}, content, cookies)
