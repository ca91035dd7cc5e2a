"""Hearth settings: one file, driven by environment variables.

Every value has a default that is safe for a developer's machine, so
`make run` needs no `.env`. Production sets the variables listed in the
README (docker-compose.yml sets them all).
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HEARTH_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "connection",
    "pulse",
    "rituals",
    "mentorship",
    "insights",
    "identity",
    "chat",
    "moments",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "connection.middleware.UserTimeZoneMiddleware",
    "connection.middleware.UserLanguageMiddleware",
    "connection.middleware.RequestScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "connection.urls"
WSGI_APPLICATION = "connection.wsgi.application"
ASGI_APPLICATION = "connection.asgi.application"

# Widgets render through TEMPLATES too, so a widget can use the project's templates
# (the people picker, templates/_partials/people_picker.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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
                "connection.context_processors.inbox",
                "django.template.context_processors.i18n",
            ],
            # {% translate %} and {% blocktranslate %} in every template, unloaded.
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

# SQLite under var/ is the embedded default; production sets DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hearth.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # Off by default: on, every request that reuses a connection first sends
        # `SELECT 1` (a round trip on each pulse submit). Off, a connection the
        # database dropped fails one request and is then replaced. Turn it on where
        # connections are dropped often, without a pooler in between.
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and beat write while the web serves: wait for locks
    # instead of failing, and let readers run beside the writer (WAL).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A read replica for the heavy dashboards (docs/scaling.md, "Read replica"): views marked
# @reads_replica read from it, every other query goes to default (connection/db_router.py).
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL"),
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=DATABASES["default"]["CONN_HEALTH_CHECKS"],
    )
    DATABASE_ROUTERS = ["connection.db_router.ReplicaRouter"]
# Behind PgBouncer in transaction mode (docs/scaling.md, "Connection pooling") a server-side
# cursor would outlive its transaction on a server connection another client gets next.
if env_str("DATABASE_POOLER") == "pgbouncer":
    for database in DATABASES.values():
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "connection.User"
# django-axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The languages Hearth speaks (docs/i18n.md): each person picks one in `My hours`,
# or follows the organisation's default (OrgSettings.default_language).
LANGUAGES = [("en-gb", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# An uploaded org chart of 10,000 people is about 1 MB; leave room.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hearth <hearth@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production; the file-system broker under var/ when no
# REDIS_URL is given, so the embedded default needs no server.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Where the transport keeps its exchanges (the three queues' routes); by
        # default a "control" folder in whatever directory the worker started in.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
# A task is acknowledged when it ends (acks_late), so a worker that dies mid-task
# leaves it for another; Redis gives an unacknowledged task to another worker after
# the visibility timeout, which must outlast any task's hard time limit, or a slow
# task would run twice at once (tests/connection/test_queues.py checks it).
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_VISIBILITY_TIMEOUT = 2 * 60 * 60
if not CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Three queues, so each scales on its own (docs/scaling.md): delivery (many short
# tasks: the outbox, the heartbeat), compute (few long ones: the nightly insights,
# pulse snapshots, matching, retention; the default) and imports (the org sync).
# Run `celery worker -Q delivery` on as many machines as the outbox needs.
HEARTH_CELERY_QUEUES = ("delivery", "compute", "imports")
CELERY_TASK_DEFAULT_QUEUE = "compute"
CELERY_TASK_ROUTES = {
    "connection.tasks.deliver_due_nudges_task": {"queue": "delivery"},
    "connection.tasks.heartbeat_task": {"queue": "delivery"},
    "identity.tasks.run_org_sync_task": {"queue": "imports"},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "connection.api_auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: form encodings can't tell an empty string from a missing field or null,
    # and the browsable API's pages break the Content Security Policy (inline styles);
    # people explore the API at /api/docs/.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "connection.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["connection.rest.QueryFilter"],
    "DEFAULT_SCHEMA_CLASS": "connection.openapi.HearthAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hearth API",
    "DESCRIPTION": "Teams and people, scoped to what the caller may see.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A session's kind is read and written by two serializers: one name for it.
    "ENUM_NAME_OVERRIDES": {"SessionKindEnum": "mentorship.models.MentoringSession.Kind"},
}

# Content Security Policy: everything from our own origin, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Hearth's own settings.
HEARTH_DEMO_PASSWORD = env_str("HEARTH_DEMO_PASSWORD", "hearth-demo")

# Nudge kinds that can go stale before they are due, and the app's check that says
# which have (connection/nudge_obsolete.py): a pulse answered before its invitation.
NUDGE_STALE_CHECKS = {
    "pulse_invite": "pulse.nudges.answered_already",
    "pulse_reminder": "pulse.nudges.answered_already",
    "moment": "moments.services.no_longer_wanted",
    "checkin_suggestion": "moments.services.no_longer_wanted",
    "thanks_prompt": "moments.services.no_longer_wanted",
}

# Tests only, never from the environment: lets webhook tests post to a local
# server on 127.0.0.1 over http. Everywhere else loopback is refused like any
# internal address (see connection/webhooks.py).
HEARTH_WEBHOOK_ALLOW_LOOPBACK = False
# Tests only: lets the scheduled org sync read its CSV from a plain http:// URL.
HEARTH_SYNC_ALLOW_HTTP = False

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords
# for one account, or from one address, sign-in is refused for the cool-off.
# Each lockout is logged (logger axes.handlers.database, WARNING) and listed
# in the admin under "Axes".
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "connection.signin.attempted_username"
AXES_CLIENT_IP_CALLABLE = "connection.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "connection.signin.locked_out"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The log names the account and address locked out (never a password), so an
# operator can tell a forgotten password from an attack.
AXES_SENSITIVE_PARAMETERS: list[str] = []
# How many reverse proxies append to X-Forwarded-For in front of the web
# process; 0 trusts only the connection's own address.
HEARTH_PROXY_COUNT = env_int("HEARTH_PROXY_COUNT", 1 if env_bool("BEHIND_PROXY", False) else 0)

# Single sign-on by OpenID Connect (docs/identity.md): set the issuer, client id and
# secret of the organisation's provider and the sign-in page offers "Sign in with
# HEARTH_OIDC_NAME" (authorization code with PKCE). The redirect URI to register at the
# provider is SITE_URL + /sso/callback/.
HEARTH_OIDC_ISSUER = env_str("HEARTH_OIDC_ISSUER").rstrip("/")
HEARTH_OIDC_CLIENT_ID = env_str("HEARTH_OIDC_CLIENT_ID")
HEARTH_OIDC_CLIENT_SECRET = env_str("HEARTH_OIDC_CLIENT_SECRET")
HEARTH_OIDC_NAME = env_str("HEARTH_OIDC_NAME", "your company account")
HEARTH_OIDC_SCOPES = env_str("HEARTH_OIDC_SCOPES", "openid email profile")
# Password sign-in: "on" for everyone, or "break-glass" for only the addresses in
# HEARTH_BREAK_GLASS_EMAILS (an HR admin who can still sign in when the provider is down).
HEARTH_PASSWORD_LOGIN = env_str("HEARTH_PASSWORD_LOGIN", "on")
if HEARTH_PASSWORD_LOGIN not in ("on", "break-glass"):
    raise ImproperlyConfigured(
        f'HEARTH_PASSWORD_LOGIN must be "on" or "break-glass", not {HEARTH_PASSWORD_LOGIN!r}'
    )
HEARTH_BREAK_GLASS_EMAILS = [e.lower() for e in env_list("HEARTH_BREAK_GLASS_EMAILS")]
# Tests only: lets Hearth reach a provider over http (its issuer and endpoints must
# otherwise be https).
HEARTH_OIDC_ALLOW_HTTP = env_bool("HEARTH_OIDC_ALLOW_HTTP", False)

# The Slack app (docs/chat.md): the values from the app's "Basic Information" page.
# With them set, HR installs the app on Settings → Chat apps (Slack's OAuth v2), and
# Slack's requests are checked against the signing secret.
HEARTH_SLACK_CLIENT_ID = env_str("HEARTH_SLACK_CLIENT_ID")
HEARTH_SLACK_CLIENT_SECRET = env_str("HEARTH_SLACK_CLIENT_SECRET")
HEARTH_SLACK_SIGNING_SECRET = env_str("HEARTH_SLACK_SIGNING_SECRET")
# Where Slack lives; tests point these at a local server that answers like Slack.
HEARTH_SLACK_API_URL = env_str("HEARTH_SLACK_API_URL", "https://slack.com/api/")
HEARTH_SLACK_AUTHORIZE_URL = env_str(
    "HEARTH_SLACK_AUTHORIZE_URL", "https://slack.com/oauth/v2/authorize"
)
# Keys for chat tokens at rest (Fernet keys, comma-separated, newest first, so an old
# key still reads while tokens are re-encrypted); unset, one is derived from SECRET_KEY.
HEARTH_CHAT_KEYS = env_list("HEARTH_CHAT_KEYS")
