"""The application log's rules of form: one event, one line (security.md V16.4.1), and each line
names the request it belongs to (the id the response carries as X-Request-ID)."""

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from hsb_portal.audit.context import current


class OneLinePerEvent(logging.Filter):
    """Escape CR and LF in a message, so text someone typed (a username, a path) can never
    start a line of its own that looks like another event."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "\r" in message or "\n" in message:
            record.msg = message.replace("\r", "\\r").replace("\n", "\\n")
            record.args = None
        return True


class WithRequestId(logging.Filter):
    """Add ``request_id`` to every record: the current request's, the one of the request the
    record is about (Django logs a 404 after the middleware has finished), or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            context = current.get()
            about = getattr(record, "request", None)
            record.request_id = (
                context.request_id if context is not None else getattr(about, "request_id", "-")
            )
        return True


class JsonLines(JsonFormatter):
    """One JSON object a line with these fields only. A library's extra attributes are left
    out: Django attaches the request to its records, and a request's text includes its query
    string, which can hold what someone searched for (a child's name)."""

    FIELDS = frozenset(
        {"time", "level", "logger", "request_id", "message", "status_code", "exc_info"}
    )

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        for field in set(log_data) - self.FIELDS:
            del log_data[field]
