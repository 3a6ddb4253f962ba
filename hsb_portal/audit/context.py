"""The request an audit event belongs to, set by middleware so services need not pass it."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    path: str = ""


current: ContextVar[RequestContext | None] = ContextVar("audit_request", default=None)
