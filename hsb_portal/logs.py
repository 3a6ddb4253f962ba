"""The application log's rules of form: one event, one line (security.md V16.4.1), and each line
names the request it belongs to (the id the response carries as X-Request-ID)."""

import logging

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
    """Add ``request_id`` to every record: the current request's, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            context = current.get()
            record.request_id = context.request_id if context is not None else "-"
        return True
