"""The application log's one rule of form: one event, one line (security.md V16.4.1)."""

import logging


class OneLinePerEvent(logging.Filter):
    """Escape CR and LF in a message, so text someone typed (a username, a path) can never
    start a line of its own that looks like another event."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "\r" in message or "\n" in message:
            record.msg = message.replace("\r", "\\r").replace("\n", "\\n")
            record.args = None
        return True
