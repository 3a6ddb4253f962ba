"""The background worker's Celery app: ``celery -A hsb_portal worker`` and ``celery -A hsb_portal
beat`` (deploy/systemd/). Its settings are Django's ``CELERY_*`` ones (hsb_portal/settings.py):
Redis as the broker when ``CELERY_BROKER_URL`` or ``REDIS_URL`` is set, tasks run in-process
otherwise. Tasks live in each app's ``tasks.py``.
"""

import os
import uuid
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from hsb_portal.audit.context import RequestContext, current

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hsb_portal.settings")
REQUEST_ID_HEADER = "hsb_request_id"

app = Celery("hsb_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def _carry_the_request_id(headers: dict[str, Any], **kwargs: Any) -> None:
    # A task sent while serving a request logs under that request's id, in the worker too.
    context = current.get()
    if context is not None:
        headers.setdefault(REQUEST_ID_HEADER, context.request_id)


@task_prerun.connect
def _adopt_the_request_id(task: Any, **kwargs: Any) -> None:
    if current.get() is not None:
        return  # run in-process (no broker): already within the request
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) or uuid.uuid4().hex
    task.request.hsb_context_token = current.set(RequestContext(request_id=request_id))


@task_postrun.connect
def _forget_the_request_id(task: Any, **kwargs: Any) -> None:
    token = getattr(task.request, "hsb_context_token", None)
    if token is not None:
        current.reset(token)
