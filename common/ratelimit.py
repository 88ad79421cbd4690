"""Fixed-window hit counters in the shared cache (Redis in production), for limits per hour."""
from django.core.cache import cache

HOUR = 3600


def hit_exceeds(scope: str, key: str | None, limit: int, window_seconds: int = HOUR) -> bool:
    """Count one hit of `key` in `scope`; True when the window now holds more than `limit` hits."""
    if not key:
        return False
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, window_seconds)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window_seconds)
        hits = 1
    return hits > limit
