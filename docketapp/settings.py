"""docketapp settings: one module, every value read from the environment (see .env.example).

Defaults are for a laptop: SQLite in the project, an embedded (filesystem) Celery broker, console e-mail.
Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL / REDIS_URL (Redis), EMAIL_URL and the
security variables; `manage.py check --deploy` is clean with the values listed in .env.example and a real
SECRET_KEY of your own (it fails on the placeholder: docketapp.checks).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DOCKETAPP_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and env.bool("DOCKETAPP_REQUIRE_SECRET_KEY", default=False):
        raise environ.ImproperlyConfigured("SECRET_KEY must be set in production")
    # A development key that is obviously not a secret; check --deploy fails on it (docketapp.checks).
    SECRET_KEY = "dev-insecure-" + "x" * 50
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "django_filters",
    "django_htmx",
    "simple_history",
    "docketapp.apps.DocketappConfig",
    "patents",
    "deadlines",
    "axes",
    "docketapp.auditlog",
]

MIDDLEWARE = [
    # First, so its figure covers every other middleware too (off with SERVER_TIMING=false).
    "docketapp.server_timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "docketapp.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Dates shown and typed follow the signed-in person's format (UserProfile.date_format).
    "patents.dates.DatePreferenceMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# `Server-Timing: app;dur=<ms>` on every response (docketapp.server_timing; `bench load` reads it).
SERVER_TIMING = env.bool("SERVER_TIMING", default=True)

ROOT_URLCONF = "docketapp.urls"
WSGI_APPLICATION = "docketapp.wsgi.application"
ASGI_APPLICATION = "docketapp.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "docketapp.security.csp_context",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server, worker and beat share the demo database. IMMEDIATE
    # transactions take the write lock when they begin: a deferred one that reads, then writes, gets
    # "database is locked" at once (SQLite cannot wait there without risking deadlock) instead of waiting.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _server = [_options.get("options", "")]  # the connection's server settings (-c name=value), joined once below
    if env.bool("POSTGRES_JIT_OFF", default=True):
        # PostgreSQL's JIT compiles any query whose estimated cost passes 100,000, and the docket's queries do at
        # a few thousand matters: compiling took 4-7.5 s of a 5.7-9.4 s docket query at 20k matters, running it
        # 1.7 s (EXPLAIN ANALYZE in docs/dashboard.md). Our queries are short OLTP reads: no JIT.
        _server.append("-c jit=off")
    # The hot path's plain statements (docketapp.plain_rows.bound_cursor: a recorded office event's reads and
    # writes) are prepared on the server once one has run this many times on a connection, so PostgreSQL parses
    # and plans it once, not on every event: planning was a third of the database's time per event (issue 18).
    # Django's own cursors never prepare. Empty: never (a transaction-pooling PgBouncer older than 1.21, or one
    # without max_prepared_statements, cannot follow prepared statements from one server connection to another).
    _threshold = env.str("POSTGRES_PREPARE_THRESHOLD", default="2").strip()
    _options["prepare_threshold"] = int(_threshold) if _threshold else None
    if _threshold:
        # ...and planned once: PostgreSQL otherwise re-plans a prepared statement whose generic plan it estimates
        # dearer, as it did the snapshot read (0.7 ms per event). Only cached plans follow this setting: those few
        # prepared statements (index lookups by id, EXPLAIN in docs/benchmarks.md) and PostgreSQL's own
        # foreign-key checks (key lookups either way); the app's PL/pgSQL triggers run no queries.
        _server.append("-c plan_cache_mode=force_generic_plan")
    if any(_server):
        _options["options"] = " ".join(part for part in _server if part)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's default, declared because the models and migrations read it (tests/docs checks every read setting).
AUTH_USER_MODEL = "auth.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user+address is refused before the password is even checked.
    "docketapp.security.LoginThrottleBackend",
    # ModelBackend with the person's profile read in the same query (one query less on every page).
    "docketapp.security.ProfileModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# Storage is always UTC; TIME_ZONE is only the default display zone for users without their own.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_BACKEND", default="whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
if DEBUG:
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# --- Security (production values come from the environment; see .env.example) ---
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
_behind_tls_proxy = env.bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _behind_tls_proxy else None
SESSION_COOKIE_HTTPONLY = True
# HSTS preload (security.W021) is a one-way commitment for the whole registered domain, so it is the
# deployer's decision (SECURE_HSTS_PRELOAD=true), not a default; the check is silenced on purpose.
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W021"])
X_FRAME_OPTIONS = "DENY"

# --- Login throttling (django-axes; docs/security.md) ---
# After LOGIN_FAILURE_LIMIT wrong passwords for one user name from one address, that pair is locked out for
# LOGIN_LOCKOUT_MINUTES (every further try restarts the wait). The same page answers for user names that
# do not exist, so the lock-out tells nobody which accounts are real. Applies to the admin's login too.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.float("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "docketapp.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "docketapp.security.client_ip"
# Reverse proxies in front of the site that append to X-Forwarded-For (0: use REMOTE_ADDR).
LOGIN_TRUSTED_PROXY_COUNT = env.int("LOGIN_TRUSTED_PROXY_COUNT", default=1 if _behind_tls_proxy else 0)

# --- Content-Security-Policy (docketapp.security.ContentSecurityPolicyMiddleware; docs/security.md) ---
# Only our own origin; no inline script or style (a per-request nonce is added to script-src and style-src
# for the rare tag that needs one). CSP_REPORT_ONLY=true sends it as Content-Security-Policy-Report-Only,
# to try a changed policy on a live site without breaking pages; CSP_REPORT_URI collects the reports.
CSP_REPORT_ONLY = env.bool("CSP_REPORT_ONLY", default=False)
CSP_REPORT_URI = env.str("CSP_REPORT_URI", default="")
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if CSP_REPORT_URI:
    CONTENT_SECURITY_POLICY["report-uri"] = [CSP_REPORT_URI]

# --- E-mail ---
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "outbox"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="docketapp <docket@localhost>")
# Django's own defaults, declared because the reminder e-mail builder reads them (deadlines/reminders/messages.py,
# ReminderEmail builds the same bytes as Django's EmailMultiAlternatives only for UTF-8).
DEFAULT_CHARSET = "utf-8"
EMAIL_USE_LOCALTIME = False
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Redis (shared throttle, cache) and Celery ---
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers a late-acked task whose worker died after this many seconds: a killed worker's
    # batches come back within minutes, not an hour. It must stay above the hard time limit (a live task
    # is killed before it could be redelivered twice) and above the longest retry countdown (300 s; Redis
    # keeps countdown tasks in the same unacked set). docs/operations.md.
    # kombu scans for such tasks every unacked_restore_interval × unacked_restore_throttle seconds (its
    # default, 10 × 10, would add almost two minutes).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=3),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"patents.sync_*": {"queue": "office_sync"}}
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# A task whose worker process died (OOM, SIGKILL) is failed, not silently acked: with acks_late it is
# redelivered (our late-acked tasks are idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = False
# Every periodic task is also a management command; `expires` keeps a backlog from piling up.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {
        "task": "docketapp.heartbeat",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Reminders, escalations, digests and weekly reports (deadlines.reminders); digests go out at each
    # user's local morning, so the sweep (not a separate daily entry) creates them.
    "deadlines.send_due_reminders": {
        "task": "deadlines.send_due_reminders",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Tamper-evident audit trail (docketapp.auditlog): sign each chain's head hourly, verify every chain nightly.
    "auditlog.take_checkpoints": {
        "task": "auditlog.take_checkpoints",
        "schedule": crontab(minute=17),
        "options": {"expires": 3000},
    },
    "auditlog.verify": {
        "task": "auditlog.verify",
        "schedule": crontab(hour=2, minute=40),
        "options": {"expires": 6 * 3600},
    },
    # Nightly recompute, because deadlines move with time alone: a term or a grace period ends, a phase
    # matter or a later application claiming this one appears -- the docket moves without a new office
    # event. Unchanged matters are skipped by their inputs hash. Also `python manage.py deadlines recompute`.
    "deadlines.recompute_all": {
        "task": "deadlines.recompute_all",
        "schedule": crontab(minute=30, hour=1),
        "options": {"expires": 6 * 3600},
    },
}
# Crash and outage recovery (docs/operations.md): recomputes whose task was lost, office answers stored but
# never applied, sync runs whose worker is gone, document readings that never finished.
CELERY_BEAT_SCHEDULE.update({
    "deadlines.recompute_pending": {
        "task": "deadlines.recompute_pending",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    "patents.process_pending_payloads": {
        "task": "patents.process_pending_payloads",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    "patents.close_interrupted_runs": {
        "task": "patents.close_interrupted_runs",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
    # Documents whose reading never finished (worker killed, hard time limit): failed, with the reason.
    "patents.fail_stuck_document_readings": {
        "task": "patents.fail_stuck_document_readings",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 540},
    },
})
# Office sync (patents.tasks): each synced office of the registry (patents.offices) every 15 minutes picks
# the matters older than its freshness target. The registry is plain Python, safe to read from settings.
from patents import offices as _offices  # noqa: E402

for _office in _offices.synced_codes():
    CELERY_BEAT_SCHEDULE[f"patents.sync_office.{_office}"] = {
        "task": "patents.sync_office",
        "schedule": crontab(minute="*/15"),
        "args": [_office],
        "options": {"expires": 600},
    }

# --- Offices (credentials only from the environment; empty → the office simulator is used) ---
OFFICE_SIMULATOR_URL = env.str("OFFICE_SIMULATOR_URL", default="")
OPS_BASE_URL = env.str("OPS_BASE_URL", default="https://ops.epo.org/3.2")
OPS_KEY = env.str("OPS_KEY", default="")
OPS_SECRET = env.str("OPS_SECRET", default="")
OPS_WEEKLY_QUOTA_BYTES = env.int("OPS_WEEKLY_QUOTA_BYTES", default=4 * 1024**3)
# The EP sync also fetches each matter's family with biblio and legal (docs/importing.md): one more
# inpadoc request per EP matter, so off unless asked for.
OPS_SYNC_FAMILY = env.bool("OPS_SYNC_FAMILY", default=False)
USPTO_ODP_BASE_URL = env.str("USPTO_ODP_BASE_URL", default="https://api.uspto.gov")
USPTO_ODP_API_KEY = env.str("USPTO_ODP_API_KEY", default="")
JPO_BASE_URL = env.str("JPO_BASE_URL", default="https://ip-data.jpo.go.jp")
JPO_USERNAME = env.str("JPO_USERNAME", default="")
JPO_PASSWORD = env.str("JPO_PASSWORD", default="")
LENS_BASE_URL = env.str("LENS_BASE_URL", default="https://api.lens.org")
LENS_TOKEN = env.str("LENS_TOKEN", default="")
OFFICE_HTTP_TIMEOUT = env.float("OFFICE_HTTP_TIMEOUT", default=30.0)
# Office sync: freshness target per office (hours since the last sync) and matters per batch task.
# Defaults from each office's descriptor (patents/offices/<code>).
OFFICE_SYNC_FRESHNESS_HOURS = {
    o.code: env.float(f"OFFICE_SYNC_FRESHNESS_HOURS_{o.code}", default=o.freshness_hours)
    for o in _offices.synced_offices()
}
OFFICE_SYNC_BATCH = {
    o.code: env.int(f"OFFICE_SYNC_BATCH_{o.code}", default=o.batch_size) for o in _offices.synced_offices()
}
# Seconds of the first transient-error retry (doubling, with full jitter, capped at 300 s).
OFFICE_SYNC_BACKOFF_BASE = env.float("OFFICE_SYNC_BACKOFF_BASE", default=2.0)
# Limits on one office answer (docs/operations.md): over them it is stored and quarantined as "too large",
# never parsed (size) or applied (events). Real answers are well under 2 MB and a few thousand events.
OFFICE_PAYLOAD_MAX_BYTES = env.int("OFFICE_PAYLOAD_MAX_BYTES", default=20 * 1024 * 1024)
OFFICE_PAYLOAD_MAX_EVENTS = env.int("OFFICE_PAYLOAD_MAX_EVENTS", default=20_000)

# --- Documents on a matter (docs/documents.md) ---
# Uploaded office documents and scans live in a private storage location: never under MEDIA, never served
# statically; the only way out is the document view, which checks the matter's client first.
DOCUMENT_STORAGE_DIR = env.str("DOCUMENT_STORAGE_DIR", default="") or str(VAR_DIR / "documents")
STORAGES["documents"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": DOCUMENT_STORAGE_DIR, "base_url": "/no-public-url/", "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700},
}
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=25 * 1024 * 1024)
DOCUMENT_MAX_PAGES = env.int("DOCUMENT_MAX_PAGES", default=100)
DOCUMENT_MAX_FILES_PER_UPLOAD = env.int("DOCUMENT_MAX_FILES_PER_UPLOAD", default=20)
# Reading (OCR) runs in a Celery task for the web app: the reader stops itself at DOCUMENT_OCR_TIME_LIMIT
# seconds, Celery raises SoftTimeLimitExceeded at the soft limit and kills the worker child at the hard one.
DOCUMENT_OCR_TIME_LIMIT = env.int("DOCUMENT_OCR_TIME_LIMIT", default=240)
DOCUMENT_OCR_SOFT_TIME_LIMIT = env.int("DOCUMENT_OCR_SOFT_TIME_LIMIT", default=270)
DOCUMENT_OCR_HARD_TIME_LIMIT = env.int("DOCUMENT_OCR_HARD_TIME_LIMIT", default=300)
# An answer stored but not applied after this long was abandoned by a dead worker: the sweep applies it.
OFFICE_PAYLOAD_PENDING_GRACE_MINUTES = env.float("OFFICE_PAYLOAD_PENDING_GRACE_MINUTES", default=15.0)
# A recompute still pending after this long was never queued or never ran: the sweep does it.
DEADLINES_RECOMPUTE_PENDING_GRACE_MINUTES = env.float("DEADLINES_RECOMPUTE_PENDING_GRACE_MINUTES", default=5.0)
# Minutes without progress after which a sync run is closed as interrupted (0: derived from the visibility
# timeout, the hard time limit and the longest retry countdown: 22 minutes with the defaults).
SYNC_RUN_STALE_MINUTES = env.float("SYNC_RUN_STALE_MINUTES", default=0.0)
# Shared throttle storage: "redis" when REDIS_URL is set, otherwise the database.
THROTTLE_BACKEND = env.str("THROTTLE_BACKEND", default="redis" if REDIS_URL else "database")
# JPO per-endpoint daily caps overriding the office throttle's built-in ones (docs/configuration.md), e.g.
# "app_progress=300;registration_info=300"; empty keeps the documented JPO caps.
JPO_DAILY_CAPS = env.dict("JPO_DAILY_CAPS", cast={"value": int}, default={})

# --- Reminders (docs/reminders.md) ---
# Local hour at which deadline reminders become due (firm TIME_ZONE) and at which digests go out (each
# user's own zone); messages handed to the mail server per claimed chunk, i.e. the most a crash can leave
# "unconfirmed" for a human to check.
REMINDERS_SEND_HOUR = env.int("REMINDERS_SEND_HOUR", default=7)
REMINDERS_DIGEST_HOUR = env.int("REMINDERS_DIGEST_HOUR", default=7)
REMINDERS_SEND_CHUNK = env.int("REMINDERS_SEND_CHUNK", default=10)
# Worker processes that drain a large backlog of due reminders together (the beat sweep asks Celery for the
# others when more than a batch of 500 is due); 1: the sweep alone.
REMINDERS_SWEEP_WORKERS = env.int("REMINDERS_SWEEP_WORKERS", default=2)
# Days before a renewal fee's due date at which an "instruction needed" reminder goes out while nobody has
# recorded pay / let lapse (docs/renewals.md); 0 turns it off.
RENEWAL_INSTRUCTION_DAYS = env.int("RENEWAL_INSTRUCTION_DAYS", default=30)

# --- Audit ---
# When true, a change to an audited model without a reason raises instead of recording "(no reason)".
# On by default: an unattributed change is a bug. Only the demo turns it off for its own processes.
AUDIT_STRICT = env.bool("AUDIT_STRICT", default=True)
# HMAC key that signs the audit chain checkpoints (docs/audit.md). Never stored in the database; without it
# (and without DEBUG, which derives a dev key) checkpoints are unsigned and `audit verify` says so.
AUDIT_CHECKPOINT_KEY = env.str("AUDIT_CHECKPOINT_KEY", default="")
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
