"""Settings shared by every environment. Every deployment knob comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp_constants
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is a convenience for developers; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with the staff workspace's pages on its site.
    "workspace.apps.LinliAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "core",
    "members",
    "centers",
    "bookings",
    "services",
    "notifications",
    "community",
    "workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, also those the middleware below answers
    # itself (django-csp; the policy is below).
    "csp.middleware.CSPMiddleware",
    # HTML is compressed here (a resident's page is 20-90 KB, a few KB gzipped); static files
    # come precompressed from WhiteNoise.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen, so that its 413 and 400 speak it; before anything reads
    # a body.
    "core.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

# --- Content-Security-Policy (django-csp) ----------------------------------------------------
# Our own files only: scripts and styles come from static files (the resident pages, the
# admin, the API docs from drf-spectacular's sidecar). An inline <script> or <style> that must
# stay carries nonce="{{ CSP_NONCE }}". Images may be data: URLs (QR codes, Swagger UI's
# icons). Nothing may frame the pages, and forms post only to this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", csp_constants.NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# JSON under /api/ and /_allauth/, a friendly page elsewhere (never Django's English page).
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.prefs.context",
                # ``acting_for``: the relative a family member is acting for (亲友代办).
                "members.acting.context",
                # {{ CSP_NONCE }} for the rare template that needs an inline script or style.
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL in production (DATABASE_URL=postgres://...). The embedded default is a SQLite file;
# IMMEDIATE transactions take the write lock up front, so two writers serialize instead of
# failing half-way with "database is locked".
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database that does not answer is a fast 503 (core.api), not a request hanging for the
    # operating system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)

# Behind PgBouncer in transaction mode (DATABASE_TRANSACTION_POOLING=true) consecutive
# transactions may run on different server connections: no server-side cursors (they live in a
# session). Row locks, conditional updates and on_commit work as they do directly.
if env.bool("DATABASE_TRANSACTION_POOLING", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

# An optional streaming replica: the public reads that may lag by a moment (availability, lists
# of centers, spaces, programs and sessions) go there; writes, and every read of a member's own
# data, stay on the primary (core.db_router).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]

# How long a transaction waits for a row lock (core.locks, PostgreSQL) before the request gives
# up with "busy, try again" (503): queues of seconds mean a rush, not a reason to hold a worker.
LOCK_TIMEOUT = 10  # seconds

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# --- Accounts (django-allauth) ----------------------------------------------------------------
# Web pages under /accounts/, the mini-program and other apps under /_allauth/app/v1/ with the
# X-Session-Token header, which every /api/v1/ endpoint accepts too.
HEADLESS_CLIENTS = ("app",)
HEADLESS_ONLY = False

ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "members.account_forms.LoginForm",
    "signup": "members.account_forms.SignupForm",
    "request_login_code": "members.account_forms.RequestLoginCodeForm",
    "confirm_login_code": "members.account_forms.ConfirmLoginCodeForm",
    "verify_phone": "members.account_forms.VerifyPhoneForm",
}
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
# A resident signs up with a mobile number or with an email address (or both), plus a password.
# allauth can only make each of phone and email required or optional, not "one of the two": both
# are optional here and members.signup.PhoneOrEmailSignupForm, the base of the web and the app
# signup forms, requires one. Making the phone required instead would also block every login
# (web, app and admin) of members without a phone, such as staff and email-only members:
# allauth's phone verification stage turns those away when the phone is a required field.
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.signup.PhoneOrEmailSignupForm"
# allauth warns that no login method is required at signup; the form above sees to it.
SILENCED_SYSTEM_CHECKS = ["account.W001"]
# A phone number counts only once an SMS code proved it: login codes are sent to it.
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
# Email is optional: a link to confirm it is sent, but nobody is kept out until they click it
# (many older residents rarely read email). The price: signing up with an email address that is
# taken says so, since allauth can hide that only when confirming is mandatory. Login, login
# codes, password reset and signup by phone never tell whether an account exists.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
# Log in with a code by SMS (or by email) instead of a password.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Six digits: easy to read out of a text message and to type on a phone keypad.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
# allauth's 3 minutes for a login code is short for someone switching between the messages app
# and the browser; each code still allows only 3 tries, so guessing gets no easier.
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 10 * 60
# Forgotten password: a code by email, typed in where it was asked for. It works the same on the
# web and in the app (no link to open), also inside WeChat's browser. Members without an email
# log in with an SMS code instead.
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 10 * 60
# Answers that do not depend on whether an account exists (but see email signup above).
ACCOUNT_PREVENT_ENUMERATION = True
# Failed logins (web, app and, through allauth's login page, the admin): 10 a minute from one IP
# address, 5 in 5 minutes for one account FROM one address (members.adapter keys them on both).
# A limit on the account alone would let anyone lock anyone out, the admin included, by typing
# wrong passwords; per address, the owner elsewhere still logs in, and a login by SMS code
# always works. Past a limit: 429 with Retry-After. Counted in the (shared Redis) cache.
# allauth's other limits keep their defaults.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Proxies in front of the app that append to X-Forwarded-For; with the default 0, behind a proxy
# every request seems to come from the proxy and the per-IP limits hit everybody together.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("NUM_PROXIES", default=0)
# Changing the password keeps this device logged in; Django's session hash still logs out every
# other browser and app token. Being thrown out right after the change only confuses people.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "邻里 Linli · "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="https")

# Sessions (browser logins and the app's X-Session-Token) are read from the cache and written
# through to the database: every authenticated API request spares a query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "members.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Cache, broker ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {"default": env.cache("CACHE_URL", default=REDIS_URL or "locmemcache://")}
# Everything cached may be lost (rate limits, tokens, computed availability): with Redis down
# the cache answers from process memory and logs it, instead of failing logins (core.cache).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "core.cache.FailSoftRedisCache"

# Redis in production. Without REDIS_URL the embedded default is kombu's file-system
# transport under var/, so `scripts/run` still runs a real worker and beat with no servers.
# `manage.py loaddemo` runs these in order (each app's demo builds on the ones before it); each
# returns a core.demo.Loaded (a count for the summary, lines to show).
DEMO_LOADERS = [
    "centers.demo.load_demo",
    "members.demo.load_demo",
    "bookings.demo.load_demo",
    "services.demo.load_demo",
    "community.demo.load_demo",
]

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = BASE_DIR / "var" / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "processed_folder": str(_queue / "processed"),
        # Exchange bindings; kombu's default is ./control, which would litter the checkout.
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
else:
    # Fail fast when Redis is down: the outbox keeps the message and the clock sends it later.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Shanghai"
# A task is acknowledged only after it ran, and a worker killed mid-task gives it back.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "tick": {"task": "notifications.tasks.tick", "schedule": 60.0},
    "daily": {
        "task": "notifications.tasks.daily",
        "schedule": crontab(hour=8, minute=0),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")

# WeChat subscribe-message templates per message kind, as JSON:
# {"booking_confirmed": {"id": "TEMPLATE_ID", "fields": {"thing1": "place", "time2": "when"}}}
WECHAT_TEMPLATES = env.json("WECHAT_TEMPLATES", default={})

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- Uploaded files (a micro-wish's photo) ------------------------------------------------------
# Through Django's storage API, in MEDIA_ROOT (a volume in docker-compose.yml; an object store
# only needs another "default" backend). Nothing serves MEDIA_ROOT as it is, and there is no
# MEDIA_URL on purpose: a photo may show a resident's home, so it goes out only through a view
# that checks who asks (community.api.views.WishViewSet.photo).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Its location is MEDIA_ROOT (read when used, so tests can point it elsewhere).
        "OPTIONS": {"file_permissions_mode": 0o640, "directory_permissions_mode": 0o750},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A multipart body (a form with a photo) may be this large at most (a 48-megapixel phone
# photo as JPEG is 10-15 MB; it is shrunk to 1600 px anyway, decoded at a fraction of its
# size): 413 beyond it, before Django spools it to disk. A photo itself may have
# WISH_PHOTO_MAX_BYTES; the rest is the form.
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=16 * 1024 * 1024)

# --- Email ----------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="邻里 Linli <noreply@linli.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Identity data (PIPL) ------------------------------------------------------------------
# Fernet keys, newest first (rotate: prepend a new key, run manage.py rotate_identity_keys,
# then drop the old one) and the HMAC key that finds an ID number without decrypting it.
ID_NUMBER_KEYS = env.list("ID_NUMBER_KEYS", default=[])
ID_NUMBER_HMAC_KEY = env.str("ID_NUMBER_HMAC_KEY", default="")

# --- Members ------------------------------------------------------------------------------------
FREE_SERVICES_AGE = 80  # members this old use priced services free (邻家屋里厢)
SMS_BACKEND = env.str("SMS_BACKEND", default="members.sms.LogSMSBackend")
WECHAT_API_BASE = env.str("WECHAT_API_BASE", default="https://api.weixin.qq.com")
WECHAT_APPID = env.str("WECHAT_APPID", default="")
WECHAT_SECRET = env.str("WECHAT_SECRET", default="")
WECHAT_TIMEOUT_SECONDS = env.float("WECHAT_TIMEOUT_SECONDS", default=5.0)

# --- Community ----------------------------------------------------------------------------------
WISH_CLAIM_DAYS = 7  # a volunteer's claim on a micro-wish lapses after this many days
WISH_POINTS = 10  # what fulfilling a micro-wish earns the volunteer, once confirmed
# A wish's optional photo: JPEG, PNG or WebP up to this size and this many pixels (decoding
# 50 megapixels takes ~150 MB; a phone's photo has 12 to 48), kept re-encoded as a JPEG of at
# most WISH_PHOTO_MAX_SIDE pixels a side, without EXIF (GPS: the wisher's home).
WISH_PHOTO_MAX_BYTES = env.int("WISH_PHOTO_MAX_BYTES", default=15 * 1024 * 1024)
WISH_PHOTO_MAX_PIXELS = env.int("WISH_PHOTO_MAX_PIXELS", default=50_000_000)
WISH_PHOTO_MAX_SIDE = 1600

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Each accepts X-On-Behalf-Of: a family member acting for a relative (亲友代办).
        "members.authentication.ProxyTokenAuthentication",
        "members.authentication.ProxySessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    # Per client address (core.throttles.ScopedIPRateThrottle); WeChat itself limits how often
    # an app may call jscode2session, so one client must not spend that budget for everyone.
    "DEFAULT_THROTTLE_RATES": {"wechat_login": "30/min"},
    # Reverse proxies in front of the app: 0 trusts no X-Forwarded-For (a client could forge
    # it to escape the rate limits); with nginx in front, 1.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "UNICODE_JSON": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Linli (邻里) API",
    "DESCRIPTION": (
        "Venue booking and member services for community service centers. A family member "
        "acts for a relative (亲友代办) on any member endpoint with the header "
        "`X-On-Behalf-Of: <member id>` and an active family link (`/api/v1/me/proxies/`): the "
        "request is then the relative's (their rules, quotas, points and no-shows). Without "
        "an active link it is a 403 `no_proxy_link` and nothing happens; a header that is no "
        "member id is a 400 `invalid`. Family links themselves, identity verification, the "
        "data export and deleting the account answer 403 `not_on_behalf` with the header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every error status with the error shape, integer ids, limits, no language-dependent
    # names (core.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.postprocess",
    ],
    # Served from our own static files: the docs must work without reaching a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CenterKindEnum": "centers.models.Center.Kind",
        "SpaceKindEnum": "centers.models.Space.Kind",
        "BookingStatusEnum": "bookings.models.Booking.Status",
        "ProgramCategoryEnum": "services.models.Program.Category",
        "ProgramKindEnum": "services.models.Program.Kind",
        "ProgramModeEnum": "services.models.Program.Mode",
        "SessionStatusEnum": "services.models.Session.Status",
        "RegistrationStatusEnum": "services.models.Registration.Status",
        "HomeVisitStatusEnum": "services.models.HomeVisitRequest.Status",
        "WishStatusEnum": "community.models.Wish.Status",
        "WishCategoryEnum": "community.models.Wish.Category",
        "ProposalStatusEnum": "community.models.Proposal.Status",
        # The same three channels as members.models.User.Channel: one name for both.
        "ChannelEnum": "notifications.models.Message.Channel",
        "MessageStatusEnum": "notifications.models.Message.Status",
    },
}

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request's full URL at INFO, query string included: for WeChat's
        # jscode2session that is the app secret and the member's login code.
        "httpx": {"level": "WARNING"},
    },
}

ADMIN_SITE_HEADER = _("Linli staff")
