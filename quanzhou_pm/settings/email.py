"""Email (Django's email backends) and the portal's notices.

Development prints mail on the console; production sends through SMTP configured here
(common.security's deployment check refuses a console backend or a missing EMAIL_HOST there).
"""
from .base import ALLOWED_HOSTS, BASE_DIR, PRODUCTION
from .env import env, env_bool, env_int

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
                    else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=not env_bool("EMAIL_USE_SSL", default=False))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
# An SMTP server that does not answer must not hold a worker (or a password-reset request) for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="泉州市物业管理提升监管平台 <noreply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[泉州物业监管] "
# Where EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend writes each message.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "artifacts" / "emails"))

# Links in emails (notices, password resets) point here, never at the Host header a request sent.
PORTAL_BASE_URL = (env("PORTAL_BASE_URL") or (f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000")
                   ).rstrip("/")

# Notices (notifications app): a report is "due soon" this many days before its due day; a committee
# term ending within this many days is announced, and so is one that ended at most this long ago.
NOTIFY_REPORT_DUE_SOON_DAYS = env_int("NOTIFY_REPORT_DUE_SOON_DAYS", 3)
NOTIFY_COMMITTEE_TERM_DAYS = env_int("NOTIFY_COMMITTEE_TERM_DAYS", 90)
# Emails that could not be sent are retried until they are this old, then marked failed.
NOTIFY_EMAIL_RETRY_HOURS = env_int("NOTIFY_EMAIL_RETRY_HOURS", 72)

# Password reset by email: links valid this long; requests per hour per client address and per address asked for.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 3600)
PASSWORD_RESET_PER_IP_HOURLY = env_int("PASSWORD_RESET_PER_IP_HOURLY", 10)
PASSWORD_RESET_PER_EMAIL_HOURLY = env_int("PASSWORD_RESET_PER_EMAIL_HOURLY", 3)
