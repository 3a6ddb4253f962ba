"""gunicorn's settings for HSB Portal (deploy/systemd/hsb-portal-web@.service passes --bind).

One worker process with threads per app server: the pages wait on the database far more than
they compute, and one process per scrape target keeps the Prometheus counters whole (no
multi-process files). Run more app servers (one systemd instance per port) to use more cores.
"""

import os

workers = 1
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# nginx gives up on a request after 60 s (proxy_read_timeout); so does gunicorn.
timeout = 60
graceful_timeout = 30
keepalive = 5
# A fresh worker now and then, so that no slow leak grows for weeks.
max_requests = 5000
max_requests_jitter = 500

# Whether the browser used HTTPS, and its address, are decided by the app
# (hsb_portal.middleware.TrustedProxyMiddleware), from nginx's headers only: not here as well.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

# systemd manages each instance; no control socket (two instances would share its path).
control_socket_disable = True

# nginx writes the access log, without query strings (they can hold what someone searched
# for); gunicorn writes none. Its own lines are JSON, like the app's.
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A logging configuration would otherwise switch gunicorn's access log on.
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
}
