from .base import DEBUG, INSTALLED_APPS, MIDDLEWARE, PRODUCTION
from .env import env, env_bool, env_int

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "common.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Uploaded files (media) are never served from the static path; their size limits live in portal.py.
FILE_UPLOAD_PERMISSIONS = 0o640

MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "common.security.ContentSecurityPolicyMiddleware")

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is locked for AXES_COOLOFF_HOURS; after LOGIN_ADDRESS_FAILURE_LIMIT failures from one
# address over all usernames (password spraying), the address is (accounts.lockout). The lockout
# page says so in Chinese.
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.AccountAndAddressLockoutHandler"
# High enough for an office behind one address, far below what spraying passwords needs.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
# axes asks this callable before any other way of finding the address (django-ipware is not used).
AXES_CLIENT_IP_CALLABLE = "common.security.client_ip"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [o for o in (env("CSRF_TRUSTED_ORIGINS") or "").split(",") if o]
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DEBUG must be off when PRODUCTION is set.")
