from .env import env

# Rate limits (public voting, API throttling) must be shared by every web process: use Redis when
# configured. Without it (local development, tests) each process keeps its own memory cache.
CACHE_URL = env("CACHE_URL") or env("REDIS_URL")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": "quanzhou_pm"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "quanzhou_pm"}}
