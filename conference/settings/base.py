"""Settings true in every environment; dev, test and production hold only their differences.

Configuration comes from the environment (see the README's table). Nothing here requires a service:
without DATABASE_URL the site runs on SQLite, without REDIS_URL the cache lives on disk.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))  # SQLite, the disk cache, media: nothing committed
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "home",
    "events",
    "tickets",
    "servestatic",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.sitemaps",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "ninja",  # the check-in API's docs page, served from our own static files
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "django_otp",  # two-factor log-in (home.two_factor): its TOTP apps and recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    # Above the page cache, so a cached page gets this request's headers too (home.security).
    "home.security.SecurityHeadersMiddleware",
    "home.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "home.page_cache.PublicPageCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "home.two_factor.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "conference.urls"
WSGI_APPLICATION = "conference.wsgi.application"
ASGI_APPLICATION = "conference.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }


def pool_connections(database, size):
    """Under ASGI every request runs in its own thread with its own connection, so the connections would follow
    the requests in flight. A psycopg pool caps them per process: a request beyond the cap waits for a connection
    instead of failing. Pooled connections are never persistent."""
    if database["ENGINE"] == "django.db.backends.postgresql" and size > 0:
        database["CONN_MAX_AGE"] = 0
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": size,
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "30")),
        }


pool_connections(DATABASES["default"], int(os.environ.get("DATABASE_POOL_SIZE", "0")))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Requests one ASGI process serves at once (the live streams aside); more wait their turn (conference/asgi.py).
ASGI_MAX_REQUESTS = int(os.environ.get("ASGI_MAX_REQUESTS", "8"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "trygg"),
        }
    }
else:
    # On disk rather than in memory: the web server, the worker and management commands share it.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Whole pages kept for anonymous visitors (home.page_cache); an edit renews them at once, 0 turns the cache off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 10 * 60))
PAGE_CACHE_VALIDATE_SECONDS = 1.0  # how long a process trusts a cached page's validator (see home.page_cache)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Django's database sessions; a cookie with a key Django never issues (a NUL in it) is no session (home.sessions).
SESSION_ENGINE = "home.sessions"

# --- People and passwords ------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
# Two-factor log-in (home.two_factor) for everyone who can publish or see personal data: required in production;
# elsewhere optional, and asked for at log-in once someone has set it up.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED")
OTP_TOTP_ISSUER = "Trygg & Säker"  # the name authenticator apps show

# --- Language, time and numbers: Swedish first ---------------------------------------------------

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "lang"

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media ----------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"},
}

# --- Wagtail -------------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "Trygg & Säker"
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party requests from the admin
WAGTAIL_ENABLE_UPDATE_CHECK = False  # nor to releases.wagtail.org (the admin's policy allows none)
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Content-Security-Policy (django-csp; the admin's and the scanner's exceptions in home.security) -----------

# Our pages run only our own files: no inline script or style, no eval, nothing from another host. An inline
# <script> or <style> that must be there carries `nonce="{{ request.csp_nonce }}"` (the nonce enters the header only
# on a response that used it, and the page cache keeps no such response). Exceptions, each as narrow as it can be:
# the scanner page adds 'wasm-unsafe-eval' for its QR decoder (tickets.views.scanner); the admin, which Wagtail
# writes with inline scripts and styles, gets those (home.security.ADMIN_CSP); the registration's review page may
# send its form on to Stripe Checkout (tickets.views.registration).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Email ---------------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Trygg & Säker <info@tryggochsaker.se>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}

# --- Payments ------------------------------------------------------------------------------------

STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# A pending order keeps its places this long; a card payment gets at least Stripe's minimum (30 minutes).
TICKET_HOLD_MINUTES = int(os.environ.get("TICKET_HOLD_MINUTES", "30"))
INVOICE_DUE_DAYS = int(os.environ.get("INVOICE_DUE_DAYS", "30"))
WAITING_LIST_OFFER_HOURS = int(os.environ.get("WAITING_LIST_OFFER_HOURS", "48"))
# Attendees' and buyers' personal data is removed this many months after their edition ended (accounting kept).
PERSONAL_DATA_RETENTION_MONTHS = int(os.environ.get("PERSONAL_DATA_RETENTION_MONTHS", "6"))

# --- Abuse limits (home.ratelimit) ---------------------------------------------------------------


def env_rate_limit(name, default):
    """(attempts, seconds) of the limit `name`: RATE_LIMIT_<NAME>="attempts/seconds" from the environment, else
    `default`."""
    value = os.environ.get(f"RATE_LIMIT_{name.upper()}", "").strip()
    if not value:
        return default
    attempts, _, seconds = value.partition("/")
    return int(attempts), int(seconds)


# (attempts, seconds) per fixed window, counted in the cache (Redis in production, so every process counts
# together); one more is answered 429 until the window ends. Per address counts must allow an office, a school or
# a municipality behind one shared address; per account or email ones can be tight.
RATE_LIMITS = {
    name: env_rate_limit(name, default)
    for name, default in {
        # Failed admin log-ins only (a successful one gives its attempt back). Per username: 10 guesses in 15 minutes
        # from anywhere, ~1,000 a day; per address, 30, so a whole office can mistype its passwords.
        "login_user": (10, 15 * 60),
        "login_ip": (30, 15 * 60),
        # Registration step 1: reservations that hold places (one that holds nothing, being sold out or replaced by
        # a new choice, is given back). A hold lasts TICKET_HOLD_MINUTES (30), so over a 30-minute window one address
        # keeps at most 10-20 orders of at most 10 places held, not the whole sale, while a municipality or a school
        # behind one address still registers ten groups in half an hour.
        "registration_ip": (10, 30 * 60),
        # Public nominations and votes: an office may send a few; each email address counts on its own too.
        "nomination_ip": (5, 60 * 60),
        "nomination_email": (3, 60 * 60),
        "vote_ip": (10, 60 * 60),
        "vote_email": (3, 60 * 60),
        # The check-in search for a lost ticket, per scanner device or staff member.
        "checkin_search": (60, 60),
    }.items()
}
# Load balancers in front of the app servers (addresses or networks): behind them the client's address is taken
# from X-Forwarded-For. Without this every visitor would share the load balancer's address, and its limits.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# --- Logging: one JSON object a line on stdout ---------------------------------------------------

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"},
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own console handler, so each line is written once, as JSON.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # Wagtail writes its audit trail to the database; its INFO lines would only repeat it.
        "wagtail": {"level": "WARNING"},
    },
}
