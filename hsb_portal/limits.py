"""Rate limits per person (security.md V2.4.1): exports and searches above their limit get 429.

A fixed window on Django's cache: one counter per limit, person and window, made with
``cache.add`` and counted with ``cache.incr``. Production runs several processes, so the cache
must be shared between them (``settings.CACHES``: the database cache); a per-process cache would
multiply every limit by the number of processes. The database cache's ``incr`` reads then
writes, so requests at the very same instant may be counted once: a burst can pass a limit
by a request or two, never by a multiple. Sign-in has its own limit: django-axes.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action
from hsb_portal.http import MembershipRequest


@dataclass(frozen=True)
class Limit:
    """At most ``requests`` requests by one person in each window of ``seconds``."""

    name: str
    requests: int
    seconds: int


# Taking data away: the PDFs and CSVs of a child's records.
EXPORTS = Limit("exports", requests=20, seconds=10 * 60)
# Looking children up: finding a child for a concern, filtering the screening queue.
SEARCHES = Limit("searches", requests=60, seconds=60)


def window(limit: Limit, *, now: float) -> int:
    return int(now // limit.seconds)


def counter_key(limit: Limit, person_id: int, window_number: int) -> str:
    return f"limit:{limit.name}:{person_id}:{window_number}"


def allowed(limit: Limit) -> int:
    """The limit's number of requests, or the deployment's own (``settings.RATE_LIMIT_REQUESTS``,
    by limit name)."""
    return int(getattr(settings, "RATE_LIMIT_REQUESTS", {}).get(limit.name, limit.requests))


def take(limit: Limit, person_id: int, *, now: float | None = None) -> int | None:
    """Count one request by this person. Over the limit: the seconds until the window ends
    (for ``Retry-After``); within it: None."""
    now = time.time() if now is None else now
    number = window(limit, now=now)
    key = counter_key(limit, person_id, number)
    # The counter outlives its window a little, so a slow clock never finds it gone early.
    cache.add(key, 0, timeout=limit.seconds + 60)
    try:
        count = cache.incr(key)
    except ValueError:
        # Culled between add and incr: count this request as the window's first.
        cache.add(key, 1, timeout=limit.seconds + 60)
        count = 1
    if count <= allowed(limit):
        return None
    return max(1, math.ceil((number + 1) * limit.seconds - now))


class RateLimited(Exception):
    """Over a limit, somewhere inside a view (a search a form makes): ``access.guard`` answers
    it with the 429 page."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(limit.name)
        self.limit, self.retry_after = limit, retry_after


def count(request: HttpRequest, limit: Limit) -> None:
    """Count this request against ``limit``, once however many searches it makes (a page that
    looks up two children is one search); over the limit, raise :class:`RateLimited`."""
    counted: set[str] = request.__dict__.setdefault("counted_limits", set())
    if limit.name in counted:
        return
    counted.add(limit.name)
    retry_after = take(limit, int(request.user.pk or 0))
    if retry_after is not None:
        raise RateLimited(limit, retry_after)


def too_many_requests(request: MembershipRequest, limit: Limit, retry_after: int) -> HttpResponse:
    """The styled 429 page, audited as a refusal: nothing was exported or searched."""
    record(
        request.user,
        Action.REFUSED,
        membership=request.membership,
        detail=f"rate limit: {limit.name}",
    )
    minutes = math.ceil(retry_after / 60)
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
