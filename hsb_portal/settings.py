"""HSB Portal settings: one module, driven by environment variables.

Safe by default: DEBUG is off, cookies are secure and the database is a SQLite file under the
git-ignored ``var/`` folder. Production differs only in environment values, so
``manage.py check --deploy`` runs against this same file.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean such as 1 or 0, not {value!r}")


def env_list(name: str, *, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # Refuse to start rather than run with a guessable key.
    raise ImproperlyConfigured("Set the SECRET_KEY environment variable")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default="127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "crispy_forms",
    "crispy_forms_gds",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hsb_portal.accounts",
    "hsb_portal.audit",
    "hsb_portal.submissions",
    "triage",
    "referrals",
    "strategy",
    "hsb_portal.retention",
    "hsb_portal.scheduling",
]

MIDDLEWARE = [
    # First, so that everything after it sees the browser's address and scheme, not nginx's.
    "hsb_portal.middleware.TrustedProxyMiddleware",
    "hsb_portal.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hsb_portal.middleware.KnownMethodsMiddleware",
    "hsb_portal.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hsb_portal.middleware.SessionLifetimeMiddleware",
    "hsb_portal.middleware.ActiveMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "hsb_portal.middleware.NoStoreMiddleware",
    "hsb_portal.middleware.DatabaseUnavailableMiddleware",
    # Last, so that it sees a failed login after authentication has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hsb_portal.urls"
WSGI_APPLICATION = "hsb_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["hsb_portal.template_filters"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hsb_portal.context_processors.hsb",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    # The embedded default lives in the git-ignored var/ folder.
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'hsb_portal.sqlite3'}"),
        conn_max_age=0,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database serves several requests at once: WAL lets reads go on beside a
    # write, IMMEDIATE takes the write lock when a transaction starts (a deferred one that
    # reads first cannot upgrade while another writes, and fails at once), and a sender
    # waits up to 20 seconds for the lock rather than failing. A DATABASE_URL option wins.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }

# A PostgreSQL streaming replica for the reporting pages (hsb_portal/db_router.py): they read
# there while it is up and no further behind than REPLICA_MAX_LAG_SECONDS, the primary
# otherwise. Nothing is ever written there (PostgreSQL refuses it too: a standby is read-only).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=0, conn_health_checks=True
    )
    # A replica that is down must not hold a reporting page up for long.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["hsb_portal.db_router.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "30"))
# How long one process trusts its last look at the replica's health and lag.
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when a deployment runs it, is the cache and the background worker's broker; every key
# starts with REDIS_KEY_PREFIX, so several deployments (or test runs) can share one server.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "hsb")

# The rate limits' counters (hsb_portal/limits.py) must be shared by every process that serves
# requests, or each process would allow the full limit: never process memory or a local file.
# Redis when there is one; otherwise the database everyone already shares, with no extra
# service to run (``migrate`` creates its table: accounts/migrations/0003_rate_limit_cache_table).
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{REDIS_KEY_PREFIX}:cache",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hsb_cache",
            # Culling drops counters early (a fresh count); keep room for every active person.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# The background worker (Celery, hsb_portal/celery.py) takes its jobs from Redis. With no
# broker (``make run``'s default) tasks run in the process that asks for them, and
# ``manage.py run_scheduled_jobs`` runs the scheduled jobs, so a newcomer needs no Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True  # each job writes its own ScheduledRun row
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "global_keyprefix": f"{REDIS_KEY_PREFIX}:celery:",
    # A job is handed to another worker only if unacknowledged this long (acks_late below):
    # longer than any job may run (hsb_portal/scheduling/jobs.py).
    "visibility_timeout": 4 * 60 * 60,
}
# A job whose worker died part-way is taken again, not lost; the run row makes that safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The application's logging (JSON lines with the request id) applies in the worker too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "Europe/London"
# The schedule is code, reviewed like code: Celery beat's own schedule, no table to edit.
CELERY_BEAT_SCHEDULE = {
    job: {
        "task": "hsb_portal.scheduling.tasks.run_scheduled_job",
        "schedule": crontab(hour=hour, minute=minute),
        "args": (job,),
        # A night's job not started by the next evening (workers down) is dropped, not stacked.
        "options": {"expires": 18 * 60 * 60},
    }
    for job, hour, minute in [
        # Back up first, then check the chain, then erase what an administrator approved.
        ("backup", 1, 0),
        ("verify_audit_chain", 2, 0),
        ("dispose_records", 3, 0),
    ]
}
# Where scripts/backup.sh writes the nightly dumps.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "var" / "backups"))

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, refusing the demo's people unless DEBUG is on.
    "hsb_portal.accounts.backends.PasswordBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "hsb_portal.accounts.hashers.StrongerPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "hsb_portal.accounts.passwords.ContextWordsValidator"},
]
OTP_TOTP_ISSUER = "HSB Portal"
# Repeated wrong codes wait 1, 2, 4… seconds before the next try is even checked.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock the pair (account, address), so one person's mistakes do not lock out
# a whole office behind a shared address. Only the socket address is trusted.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "hsb_portal.accounts.lockout.username_for_lockout"
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_IPWARE_PROXY_COUNT = 0
AXES_VERBOSE = False

# django-guardian: no anonymous user row, object grants only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hsb-portal@localhost")

# Sessions: 30 minutes idle (renewed on each request), 12 hours at most (NIST 800-63B AAL2),
# gone when the browser closes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Our own page, and the refusal audited against the record the form was about.
CSRF_FAILURE_VIEW = "hsb_portal.views.csrf_failure"

# Served over HTTPS everywhere but a developer's own machine.
HTTPS = env_bool("HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    # The __Host- prefix pins the cookie to this host and path and requires Secure.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: every page is built to work under this policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": "/csp-report/",
    }
}
# Behind nginx (deploy/nginx/hsb-portal.conf), the TLS connection ends at the proxy: nginx says
# which scheme and address the browser used (X-Forwarded-Proto, X-Real-IP, overwriting whatever
# the browser sent), and these headers are believed only from the proxy's own addresses
# (hsb_portal.middleware.TrustedProxyMiddleware drops them from anyone else).
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
TRUSTED_PROXY_ADDRESSES = env_list("TRUSTED_PROXY_ADDRESSES", default="127.0.0.1,::1")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes and the metrics scraper talk to the app server directly, over plain HTTP on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Prometheus scrapes /metrics with this bearer token; with none set, /metrics answers nobody.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

ADMIN_URL = os.environ.get("ADMIN_URL", "records-admin/")

# One JSON object a line in production (LOG_FORMAT=json, the default unless DEBUG), each with the
# request id that the response carries as X-Request-ID; plain lines on a developer's machine.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "hsb_portal.logs.JsonLines",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {
        "one_line": {"()": "hsb_portal.logs.OneLinePerEvent"},
        "request_id": {"()": "hsb_portal.logs.WithRequestId"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["one_line", "request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
