# Loaded with Django, so that a task sent from a request uses the settings' broker, or runs in
# the same process when there is none (Celery's documented layout).
from hsb_portal.celery import app as celery_app

__all__ = ["celery_app"]
