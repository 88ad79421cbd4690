"""Settings of the indicator engine (metrics app). Periods are written "YYYY-MM"."""
from .env import env, env_bool, env_int

# Dashboards compare every value with this month.
METRICS_BASELINE_PERIOD = env("METRICS_BASELINE_PERIOD", default="2024-01")
# Registry edits re-mark months back to the change's date, but never before the campaign's first month.
METRICS_FIRST_PERIOD = env("METRICS_FIRST_PERIOD", default="2024-01")
# Include submitted (not yet approved) monthly reports; such values are marked provisional.
METRICS_INCLUDE_SUBMITTED = env_bool("METRICS_INCLUDE_SUBMITTED", default=False)
# Stale street-months wait this long so a burst of edits is recomputed once.
METRICS_STALE_SETTLE_SECONDS = env_int("METRICS_STALE_SETTLE_SECONDS", 30)
# From this many stale streets in one month on, one whole-month recompute is cheaper.
METRICS_STALE_WHOLE_MONTH_THRESHOLD = env_int("METRICS_STALE_WHOLE_MONTH_THRESHOLD", 50)
# A street-month with marks on more than this many compounds rebuilds all of the street's facts at once.
METRICS_STALE_COMPOUND_LIMIT = env_int("METRICS_STALE_COMPOUND_LIMIT", 500)
