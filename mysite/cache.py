"""The read cache of every app: per-container entries, validated by a generation stamp in DynamoDB.

Scope of this module (the one place that says it):

- **Scopes.** A scope is the set of reads one kind of write can change: `user_scope(sub)` holds a
  user's todos (lists, tasks, labels, attachments), `BLOG_SCOPE` the blog's public pages and
  read API, `product_scope(slug)` a product of the update catalog (its item and every client
  answer: JSON checks, electron, Sparkle appcasts, TUF files).
- **Stamps.** Each scope has one `CacheStamp` item (table `cache-stamps`): a random token,
  replaced by `stamp_bump()` in the same TransactWriteItems as every write that changes what
  the scope's reads return (`stamp_bump_now()` only after writes that cannot be one
  transaction: batch deletes of unbounded size, S3 objects). A committed write is therefore
  visible to the very next request on any container.
- **Facets.** A scope may also hold entries that most of its writes leave alone: a facet of it,
  with its own token on the same stamp item (`FACETS`; `identity` holds the user's profile as the
  signed-in requests read it). `cached(..., facet=...)` keys such an entry by the facet's token,
  and only `stamp_bump(..., facet=...)` replaces that token: a task write does not send every
  container back to the profile, and a rename does not drop the user's cached todos.
- **Reads.** `cached()` reads the scope's stamp with one small strongly-consistent GetItem,
  remembered for the rest of the request (a `ContextVar` set on `request_started`; never across
  requests, and forgotten as soon as the request writes to the scope), then looks the entry up
  under (scope, token, name, params). A warm request costs exactly that one GetItem. The stamp
  has its own item rather than riding on the product: a full-item `save()` of the product
  would write an old token back, and the count is the same either way, since the product is
  itself an entry under its stamp. The signed-in user's profile (identity and token
  revocation, read by every authenticated request) is an entry under the user's scope too
  (accounts.selectors), so a warm signed-in request costs that one GetItem as well.
- **Entries** live in Django's `default` cache, `LocMemCache`: per process (each Lambda
  container, each origin process its own), thread-safe behind its lock, and values are pickled
  in and out, so no two threads ever share a cached object. Correctness across processes comes
  from the stamp alone. Memory is bounded: at most `MAX_ENTRIES` (CACHES, 1,000) entries, each
  at most `READ_CACHE["MAX_ENTRY_BYTES"]` (256 KiB pickled; bigger answers are computed, not
  kept), each for at most `READ_CACHE["TTL_SECONDS"]` (300 s): under 256 MiB per container.
  A Redis-compatible shared cache can replace it by changing CACHES only.
- **Settling.** Global secondary indexes (and eventually consistent queries) may lag a
  committed write for a moment, so an entry computed within `READ_CACHE["SETTLE_SECONDS"]` (2 s)
  of its stamp's change is served but not kept: a lagging index cannot pin a stale answer
  under the new token.

DAX is not used: its query cache is not read-your-writes (a write through DynamoDB is not
seen by a cached query until its TTL), it needs a VPC and a cluster, and PynamoDB has no DAX
client.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import pickle
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache as _entries
from django.core.signals import request_finished, request_started
from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from mysite.dynamo import LabelledTransactWrite, transact
from mysite.models import CacheStamp

BLOG_SCOPE = "blog"
IDENTITY = "identity"
FACETS = (IDENTITY,)  # each has `<facet>_token` and `<facet>_changed_at` on CacheStamp
_NO_STAMP = "-"  # a scope nobody has written to yet; the first write replaces it for good
_DEFAULTS = {"TTL_SECONDS": 300, "SETTLE_SECONDS": 2.0, "MAX_ENTRY_BYTES": 256 * 1024}


def user_scope(sub: str) -> str:
    """The scope of one user's own data (todos, attachments)."""
    return f"user#{sub}"


def product_scope(slug: str) -> str:
    """The scope of one product of the update catalog."""
    return f"product#{slug}"


def _option(name: str):
    return {**_DEFAULTS, **getattr(settings, "READ_CACHE", {})}[name]


# --- Stamps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    token: str
    changed_at: float


class _RequestState:
    """What one request remembers: the stamps it read, the scopes it wrote, its memoised reads."""

    def __init__(self) -> None:
        self.read: dict[str, Stamp] = {}
        self.written: set[str] = set()
        self.memo: dict[str, object] = {}


# One value per request: a ContextVar is per thread (and per asyncio task), never shared.
_request: contextvars.ContextVar[_RequestState | None] = contextvars.ContextVar("read_cache_request", default=None)


def _request_began(**kwargs) -> None:
    _request.set(_RequestState())


def _request_ended(**kwargs) -> None:
    _request.set(None)


request_started.connect(_request_began, dispatch_uid="mysite.cache.request_began")
request_finished.connect(_request_ended, dispatch_uid="mysite.cache.request_ended")


def _facet(scope: str, facet: str | None) -> str:
    """The memo key of a scope's stamp, or of one facet's."""
    if facet is not None and facet not in FACETS:
        raise ValueError(f"unknown read-cache facet {facet!r}")
    return scope if facet is None else f"{scope}|{facet}"


def _stamp(token: str | None, changed_at) -> Stamp:
    return Stamp(token, float(changed_at or 0)) if token else Stamp(_NO_STAMP, 0.0)


def stamp_get(scope: str, *, facet: str | None = None) -> Stamp:
    """The scope's current stamp, or its facet's (one strongly-consistent GetItem, once per request)."""
    wanted = _facet(scope, facet)
    memo = _request.get()
    if memo is not None and wanted in memo.read:
        return memo.read[wanted]
    names = ["token", "changed_at", *(f"{name}_{part}" for name in FACETS for part in ("token", "changed_at"))]
    try:
        item = CacheStamp.get(scope, consistent_read=True, attributes_to_get=names)
        stamps = {scope: _stamp(item.token, item.changed_at)}
        for name in FACETS:
            stamps[_facet(scope, name)] = _stamp(getattr(item, f"{name}_token"), getattr(item, f"{name}_changed_at"))
    except DoesNotExist:
        stamps = {_facet(scope, name): Stamp(_NO_STAMP, 0.0) for name in (None, *FACETS)}
    if memo is not None:
        memo.read.update({key: stamp for key, stamp in stamps.items() if key not in memo.written})
    return stamps[wanted]


def _forget_in_request(keys: tuple[str, ...]) -> None:
    memo = _request.get()
    if memo is not None:
        for key in keys:
            memo.read.pop(key, None)
            memo.written.add(key)


def stamp_bump(transaction: TransactWrite, *scopes: str, facet: str | None = None) -> None:
    """Replace the scopes' stamps (or only their `facet`'s) as part of `transaction`: they change iff it commits."""
    done: dict[str, str | None] = transaction.__dict__.setdefault("_bumped_scopes", {})
    now = time.time()
    keys = tuple(_facet(scope, facet) for scope in scopes)
    token, changed_at = (
        (CacheStamp.token, CacheStamp.changed_at)
        if facet is None
        else (getattr(CacheStamp, f"{facet}_token"), getattr(CacheStamp, f"{facet}_changed_at"))
    )
    for scope in scopes:
        if scope in done:  # one transaction may touch an item only once
            if done[scope] != facet:
                raise ValueError(f"one transaction cannot bump two tokens of {scope!r}")
            continue
        done[scope] = facet
        actions = [token.set(uuid.uuid4().hex), changed_at.set(now)]
        if isinstance(transaction, LabelledTransactWrite):
            transaction.update(CacheStamp(scope), actions=actions, label=f"stamp:{scope}")
        else:  # a plain TransactWrite from an app that has not moved to transact() yet
            transaction.update(CacheStamp(scope), actions=actions)
    _forget_in_request(keys)


def stamp_bump_now(*scopes: str) -> None:
    """Replace the scopes' stamps on their own, after writes that cannot share one transaction."""
    with transaction() as write:
        stamp_bump(write, *scopes)


def transaction() -> LabelledTransactWrite:
    """A transaction on the models' connection: `mysite.dynamo.transact()`."""
    return transact()


def save_with_bump(item, *scopes: str, condition=None) -> None:
    """`item.save(condition)` and the scopes' bump in one transaction (TransactWriteError on a failed condition)."""
    with transaction() as write:
        write.save(item, condition=condition, label="item")
        stamp_bump(write, *scopes)


def delete_with_bump(item, *scopes: str, condition=None) -> None:
    """`item.delete(condition)` and the scopes' bump in one transaction."""
    with transaction() as write:
        write.delete(item, condition=condition, label="item")
        stamp_bump(write, *scopes)


def request_memo[T](key: str, compute: Callable[[], T]) -> T:
    """`compute()` at most once per request (every time outside one); never kept across requests."""
    state = _request.get()
    if state is None:
        return compute()
    if key not in state.memo:
        state.memo[key] = compute()
    return state.memo[key]  # type: ignore[return-value]


# --- Entries -----------------------------------------------------------------------------


def _entry_key(scope: str, token: str, name: str, params: Mapping | None) -> str:
    # Hashed: scopes and params carry user input, and the key must suit any cache backend.
    raw = json.dumps([scope, token, name, params or {}], sort_keys=True, default=str)
    return "rc:" + hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


def cached[T](
    *, scope: str, name: str, compute: Callable[[], T], params: Mapping | None = None, facet: str | None = None
) -> T:
    """`compute()` once per (scope, name, params) until the scope's (or its facet's) next write, on every container."""
    stamp = stamp_get(scope, facet=facet)
    key = _entry_key(_facet(scope, facet), stamp.token, name, params)
    pickled = _entries.get(key)
    if pickled is not None:
        return pickle.loads(pickled)
    value = compute()
    if time.time() - stamp.changed_at >= _option("SETTLE_SECONDS"):
        pickled = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        if len(pickled) <= _option("MAX_ENTRY_BYTES"):
            _entries.set(key, pickled, _option("TTL_SECONDS"))
    return value
