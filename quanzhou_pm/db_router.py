"""Where queries go: the primary (`default`), unless a view has allowed replica reads for its body.

Writes, migrations and every read not explicitly allowed go to the primary: an officer always sees
what they have just saved, and workflow transitions, sessions, sign-in, login lockouts and API
tokens never read a lagging copy. Dashboards and the read-only API feeds allow replica reads
(`allow_replica_reads`, `ReplicaReadsMixin`) for GET and HEAD only, and only once the signed-in
user has been loaded from the primary. Each such request reads from one replica, picked at random;
a replica that cannot be reached is skipped, and with none left the request reads from the primary.
A replica that failed is left alone by this process for REPLICA_REST_SECONDS, so an outage costs
one connect timeout per process now and then, not one per request.
Replicas are configured by DATABASE_REPLICA_URLS (settings/database.py).
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import random
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

READ_ONLY_METHODS = ("GET", "HEAD")
REPLICA_REST_SECONDS = 30

# alias -> time.monotonic() until which this process does not try it again.
_resting_until: dict[str, float] = {}

_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("replica_read_alias", default=None)


def _reachable(alias: str) -> bool:
    if time.monotonic() < _resting_until.get(alias, 0):
        return False
    try:
        # Connects, or runs the connection's once-per-request health check; sends no query of its own.
        connections[alias].cursor().close()
    except DatabaseError:
        _resting_until[alias] = time.monotonic() + REPLICA_REST_SECONDS
        logger.warning("Read replica %s is unreachable; not tried again for %s s.", alias, REPLICA_REST_SECONDS,
                       exc_info=True)
        return False
    _resting_until.pop(alias, None)
    return True


def _pick_read_alias() -> str:
    replicas = list(settings.DATABASE_REPLICAS)
    random.shuffle(replicas)
    return next((alias for alias in replicas if _reachable(alias)), DEFAULT_DB_ALIAS)


@contextlib.contextmanager
def reads_from(alias: str):
    """Reads inside this block go to `alias`: a streamed answer's later reads stay on the database
    its rows come from, after the view (and its replica scope) has returned."""
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


def replica_reads():
    """Reads inside this block go to one replica (or the primary when none is reachable)."""
    return reads_from(_pick_read_alias())


def _load_user_from_primary(request) -> None:
    # AuthenticationMiddleware loads the session and the user lazily, on first use: make that use
    # happen here, before the scope opens, so they are read from the primary.
    user = getattr(request, "user", None)
    if user is not None:
        user.is_authenticated  # the access itself runs the lookups


def allow_replica_reads(view):
    """A view decorator: GET and HEAD requests read from a replica, templates included."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in READ_ONLY_METHODS:
            return view(request, *args, **kwargs)
        _load_user_from_primary(request)
        with replica_reads():
            response = view(request, *args, **kwargs)
            # A TemplateResponse would otherwise render (and run its lazy querysets) after the scope.
            if callable(getattr(response, "render", None)):
                response.render()
            return response

    return wrapped


class ReplicaReadsMixin:
    """For DRF viewsets: GET and HEAD read from a replica after authentication, throttling and
    permission checks (which stay on the primary), up to and including rendering the response."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in READ_ONLY_METHODS:
            self._replica_scope = contextlib.ExitStack()
            self._replica_scope.enter_context(replica_reads())

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            return super().finalize_response(request, response, *args, **kwargs)
        finally:
            scope = self.__dict__.pop("_replica_scope", None)
            if scope is not None:
                scope.close()


class PrimaryReplicaRouter:
    """Reads go to the replica chosen for the current scope, everything else to the primary."""

    def db_for_read(self, model, **hints):
        return _read_alias.get() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Explicit: without an answer Django would write an object back to the database it was read from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the primary's rows: objects read from any of them may be related.
        databases = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
