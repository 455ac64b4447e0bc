"""Agora's settings: one module for every deployment, read from the environment.

Every variable is listed in `.env.example` and in the README. Nothing here is
only for production; the test suite changes speed-ups only (see tests/conftest.py).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: it is required when DEBUG is off "
            "(set SECRET_KEY, or DEBUG=1 for local development only)."
        )
    SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Serve static files through whitenoise under runserver too, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
    "django_htmx",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "articles",
    "comments",
    "moderation",
    "exchange",
    "health",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: a reader who just wrote reads the primary.
    "core.middleware.ReplicaPinMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.QueryStringMiddleware",
    "core.middleware.ApiBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A 404 at an article's old slug answers 301 (308 for writes) to its new one.
    "articles.middleware.OldSlugRedirectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees a view's database error first: 503, not a 500.
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
# API paths answer a CSRF failure in JSON, like every other API error.
CSRF_FAILURE_VIEW = "core.api.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
                "moderation.context_processors.moderation_links",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# SQLite under var/ is only the embedded default for `make run`; production and CI
# give a postgres:// URL.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'agora.sqlite3'}"
    )
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Read-only streaming replicas of the primary (comma-separated URLs, aliases
# replica1, replica2...): web reads go to them, except a reader's for
# DATABASE_PIN_SECONDS after they write (core.db, docs/operations.md).
DATABASE_REPLICAS = []
for _n, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    DATABASES[f"replica{_n}"] = {
        **env.db_url_config(_url),
        "CONN_HEALTH_CHECKS": True,
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_REPLICAS.append(f"replica{_n}")
# Django's PostgreSQL backend, with a health check that skips the round trip
# for a connection in steady use (core/postgresql/base.py).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "core.postgresql"
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
DATABASE_PIN_SECONDS = env.int("DATABASE_PIN_SECONDS", default=5)
# /healthz says a replica is degraded when it replays this far behind.
DATABASE_REPLICA_MAX_LAG_SECONDS = env.int("DATABASE_REPLICA_MAX_LAG_SECONDS", 30)

# --- Cache ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "agora",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's ModelBackend, the signed-in account remembered for a short while.
AUTHENTICATION_BACKENDS = ["accounts.auth.CachedModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Mail ---------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Agora <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------
# HTTPS is on whenever DEBUG is off; turn it off only on a trusted plain-HTTP network.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env.bool("HSTS_PRELOAD", default=True)
# Behind a proxy that terminates TLS, trust its X-Forwarded-Proto header (only
# then: a client could otherwise claim HTTPS).
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written through to the database: a
# signed-in page costs no session query, and a cache flush signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Scripts only from our own origin: htmx is vendored, no inline script anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker: run tasks in-process so `make run` needs nothing else (logged once
# at start-up by health.apps).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# At-least-once delivery: a task is acknowledged only once it has run, and a task
# whose worker died is given back to the queue. Tasks are written to be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Redis redelivers an unacknowledged task after this long; it must stay well
# above the hard time limit so a slow task is not run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 3,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Through an outage of any length the worker keeps trying to reconnect (by
# default it gives up, and exits, after 100 tries).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "health.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
    },
    "reconcile-pending-comments": {
        "task": "moderation.tasks.reconcile_pending",
        "schedule": timedelta(seconds=env.int("MODERATION_RECONCILE_EVERY", 60)),
    },
    "resend-unsent-notices": {
        "task": "comments.tasks.resend_unsent_notices",
        "schedule": timedelta(seconds=env.int("MODERATION_RECONCILE_EVERY", 60)),
    },
    "purge-old-spam": {
        "task": "moderation.tasks.purge_old_comments",
        "schedule": crontab(hour=3, minute=30),
    },
    "moderator-digest": {
        "task": "moderation.tasks.send_moderator_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    "close-old-discussions": {
        "task": "articles.tasks.close_old_discussions",
        "schedule": timedelta(hours=1),
    },
    "erase-old-addresses": {
        "task": "accounts.tasks.erase_old_addresses",
        "schedule": crontab(hour=4, minute=0),
    },
    "tell-authors-of-long-holds": {
        "task": "moderation.tasks.notify_long_holds",
        "schedule": timedelta(minutes=5),
    },
    "check-surges": {
        "task": "moderation.tasks.check_surges",
        "schedule": timedelta(seconds=30),
    },
}
# Refit the toxicity model from the repository's corpus and the moderators'
# overrides every Monday at 02:00; off unless this is set.
MODERATION_TOXICITY_RETRAIN_WEEKLY = env.bool(
    "MODERATION_TOXICITY_RETRAIN_WEEKLY", False
)
if MODERATION_TOXICITY_RETRAIN_WEEKLY:
    CELERY_BEAT_SCHEDULE["retrain-toxicity"] = {
        "task": "moderation.tasks.retrain_toxicity",
        "schedule": crontab(hour=2, minute=0, day_of_week=1),
    }
# A publish that cannot reach the broker gives up quickly: the comment stays
# pending for the reconciler and the reader gets their answer.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

# --- Comments -----------------------------------------------------------------------
COMMENT_THROTTLE_RATE = env.str("COMMENT_THROTTLE_RATE", default="10/minute")
VOTE_THROTTLE_RATE = env.str("VOTE_THROTTLE_RATE", default="60/minute")
FLAG_THROTTLE_RATE = env.str("FLAG_THROTTLE_RATE", default="20/hour")
COMMENT_EDIT_WINDOW = timedelta(minutes=env.int("COMMENT_EDIT_MINUTES", default=15))
# An author's repeat of their own comment within this many days is refused.
COMMENT_DUPLICATE_WINDOW = timedelta(days=env.int("COMMENT_DUPLICATE_DAYS", default=7))
# Signed-out readers may comment with a name and an e-mail address; their first
# comment is held for a moderator.
GUEST_COMMENTS = env.bool("GUEST_COMMENTS", default=True)
# Reply notices still unsent this long after approval are sent again (the same
# patience as the moderation reconciler's).
NOTICE_RESEND_AFTER = timedelta(
    seconds=env.int("MODERATION_RECONCILE_AFTER_SECONDS", 120)
)
COMMENTS_PER_PAGE = 20
REPLIES_PER_THREAD = 50

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Apps send `Authorization: Token <key>`; the pages' session works too, with
    # CSRF enforced, so a cookie alone never authorises a write.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, refusing duplicate keys and deep nesting with a 400.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    # drf-standardized-errors' schema, fitted to our handler: every error answer
    # is documented in the shape the handler gives.
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_DAYS", default=90)),
    "AUTO_REFRESH": True,
    "AUTH_HEADER_PREFIX": "Token",
}
# Seconds a checked token, or a signed-in account, is remembered in the cache, so
# a request costs no query for it; every revocation takes effect at once all the
# same (accounts.auth). 0: off.
API_TOKEN_CACHE_SECONDS = env.int("API_TOKEN_CACHE_SECONDS", default=60)
API_MAX_BODY_BYTES = 64 * 1024
# Failed sign-ins per account from one address: the strict limit on guessing.
LOGIN_FAILURE_RATE = env.str("LOGIN_FAILURE_RATE", default="5/15minute")
# Per client address, whatever the name, looser: many readers may share one
# address (an office).
LOGIN_FAILURE_RATE_PER_ADDRESS = env.str(
    "LOGIN_FAILURE_RATE_PER_ADDRESS", default="50/15minute"
)
# Per account from anywhere, looser than LOGIN_FAILURE_RATE; over it the account
# refuses only addresses that have failed for it, so guessers elsewhere cannot
# lock its owner out (docs/operations.md).
LOGIN_FAILURE_RATE_PER_ACCOUNT = env.str(
    "LOGIN_FAILURE_RATE_PER_ACCOUNT", default="20/15minute"
)
# Sign-up and password-reset e-mails, each per client address and per e-mail
# address: they send mail to addresses a stranger may type.
SIGNUP_RATE = env.str("SIGNUP_RATE", default="5/hour")
PASSWORD_RESET_RATE = env.str("PASSWORD_RESET_RATE", default="5/hour")
# How many proxies in front of the site append the address they were reached
# from to X-Forwarded-For. 0: the header is ignored (anyone can forge it) and
# REMOTE_ADDR is the client. Read only through core.net.client_ip.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Days the site keeps the (hashed) client address a comment came from; a nightly
# beat task erases older ones (accounts.tasks.erase_old_addresses).
PRIVACY_ADDRESS_DAYS = env.int("PRIVACY_ADDRESS_DAYS", default=30)
SPECTACULAR_SETTINGS = {
    "TITLE": "Agora API",
    "DESCRIPTION": "Articles, threaded discussions and moderation for apps.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # drf-standardized-errors' copy of the enum hook, which leaves each
    # operation's error attrs alone, and a name for each choice set of error
    # types and codes so no two components collide.
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
    ],
    "ENUM_NAME_OVERRIDES": {
        **{
            name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
            for name in [
                "ValidationErrorEnum",
                "ClientErrorEnum",
                "ServerErrorEnum",
                *(
                    f"ErrorCode{s}Enum"
                    for s in (401, 403, 404, 405, 406, 415, 429, 500)
                ),
            ]
        },
        **{
            name: f"core.openapi.{name}.choices"
            for name in (f"ErrorCode{s}Enum" for s in (409, 413, 503))
        },
        "AppealStatusEnum": [("open", "Open"), ("decided", "Decided")],
        "AppealOutcomeEnum": ["uphold", "reverse"],
    },
}

# --- Moderation -----------------------------------------------------------------------
# Site defaults; a policy bundle may set an article's or a topic's own.
MODERATION_TOXICITY_THRESHOLD = env.float("MODERATION_TOXICITY_THRESHOLD", 0.8)
MODERATION_SPAM_THRESHOLD = env.float("MODERATION_SPAM_THRESHOLD", 0.9)
MODERATION_LINK_LIMIT = env.int("MODERATION_LINK_LIMIT", 2)
MODERATION_FLAGS_TO_HOLD = env.int("MODERATION_FLAGS_TO_HOLD", 3)
# Flags from accounts younger than this many days count a quarter.
MODERATION_FLAG_MIN_ACCOUNT_AGE = env.int("MODERATION_FLAG_MIN_ACCOUNT_AGE_DAYS", 7)
# An author may appeal a hold, rejection or spam mark for this many days.
MODERATION_APPEAL_DAYS = env.int("MODERATION_APPEAL_DAYS", 183)
# An author is told by e-mail of a hold that lasts longer than this.
MODERATION_HOLD_NOTICE_MINUTES = env.int("MODERATION_HOLD_NOTICE_MINUTES", 60)
# Repeat abuse: an author with this many comments rejected or marked spam within
# this many days is warned once, and their new comments are held meanwhile.
MODERATION_REPEAT_REJECTIONS = env.int("MODERATION_REPEAT_REJECTIONS", 3)
MODERATION_REPEAT_DAYS = env.int("MODERATION_REPEAT_DAYS", 30)
# The moderator desk: how long a card stays claimed by the moderator shown it,
# how long a decision may be taken back, and how many cards a batch holds.
MODERATION_DESK_CLAIM_SECONDS = env.int("MODERATION_DESK_CLAIM_SECONDS", 120)
MODERATION_UNDO_SECONDS = env.int("MODERATION_UNDO_SECONDS", 60)
MODERATION_DESK_BATCH = env.int("MODERATION_DESK_BATCH", 25)
# Without knowing what the moderator saw (admin, API), another moderator's
# decision this recent refuses a second one.
MODERATION_RECENT_DECISION_SECONDS = env.int("MODERATION_RECENT_DECISION_SECONDS", 60)
# Hold an account's comments until a moderator has approved one (guests' first
# comments are always held).
MODERATION_HOLD_NEW_ACCOUNTS = env.bool("MODERATION_HOLD_NEW_ACCOUNTS", True)
MODERATION_CLASSIFIERS = [
    "moderation.classifiers.toxicity.ToxicityClassifier",
    "moderation.classifiers.spam.SpamClassifier",
]
MODERATION_CLASSIFIER_RETRIES = 3
MODERATION_RECONCILE_AFTER = timedelta(
    seconds=env.int("MODERATION_RECONCILE_AFTER_SECONDS", 120)
)
MODERATION_PURGE_AFTER = timedelta(days=env.int("MODERATION_PURGE_AFTER_DAYS", 30))
# Surge mode pre-moderates a busy article: at least FACTOR times its usual
# number of comments (and at least MIN_COMMENTS) in the last WINDOW minutes, or
# FLAGS open readers' flags made in it; it ends after COOLDOWN calm minutes.
MODERATION_SURGE_FACTOR = env.float("MODERATION_SURGE_FACTOR", 5.0)
MODERATION_SURGE_WINDOW_MINUTES = env.int("MODERATION_SURGE_WINDOW_MINUTES", 10)
MODERATION_SURGE_MIN_COMMENTS = env.int("MODERATION_SURGE_MIN_COMMENTS", 20)
MODERATION_SURGE_FLAGS = env.int("MODERATION_SURGE_FLAGS", 10)
MODERATION_SURGE_COOLDOWN_MINUTES = env.int("MODERATION_SURGE_COOLDOWN_MINUTES", 15)

# --- Site -----------------------------------------------------------------------------
# The public address, for links in e-mails sent outside any request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SITE_NAME = env.str("SITE_NAME", default="Agora")
SITE_TAGLINE = env.str("SITE_TAGLINE", default="Technology policy, argued in the open")
ARTICLES_PER_PAGE = 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
