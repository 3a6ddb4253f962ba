from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action


@receiver(user_logged_in)
def audit_log_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(user, Action.LOG_IN)


@receiver(user_logged_out)
def audit_log_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(user, Action.LOG_OUT)


@receiver(user_login_failed)
def audit_log_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any, **kwargs: Any
) -> None:
    # The address typed is kept, never the password; control characters are dropped.
    typed = "".join(ch for ch in str(credentials.get("username", "")) if ch.isprintable())
    record(None, Action.LOG_IN_FAILED, actor_email=typed[:254])
