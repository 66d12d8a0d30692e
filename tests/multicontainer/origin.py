"""One origin process of the multi-container tests: the real site on a single-threaded stdlib HTTP server.

Run as `python -m tests.multicontainer.origin PORT`; each process has its own memory, as each
Lambda container does. With `ORIGIN_STAMP_BUMPS=off` it writes without replacing read-cache
stamps, the broken behaviour the tests must catch.
"""

from __future__ import annotations

import os
import sys


def without_stamp_bumps(patch) -> None:
    """Make every write leave the read cache's stamps alone (`patch(target, name, value)`)."""
    from mysite import cache

    patch(cache, "stamp_bump", lambda transaction, *scopes, **facet: None)
    patch(cache, "stamp_bump_now", lambda *scopes: None)


def main(port: int) -> None:
    """Serve the site on 127.0.0.1:`port`, one request at a time, until terminated."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings.local")
    import django

    django.setup()
    if os.environ.get("ORIGIN_STAMP_BUMPS") == "off":
        without_stamp_bumps(setattr)
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    run("127.0.0.1", port, get_wsgi_application(), ipv6=False, threading=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
