"""Settings of the campaign itself (domain knobs), each overridable from the environment."""
from .env import env, env_int, env_list

# Housing types whose compounds are eligible for an owners' committee (committee_formation_rate).
COMMITTEE_ELIGIBLE_HOUSING_TYPES = env_list("COMMITTEE_ELIGIBLE_HOUSING_TYPES", ["commodity"])
# The city this deployment serves, by its division code.
PORTAL_CITY_CODE = env("PORTAL_CITY_CODE", default="350500")

# Monthly reports (月报) are due by this day of the following month; later submissions are marked late.
MONTHLY_REPORT_DUE_DAY = env_int("MONTHLY_REPORT_DUE_DAY", 10)
# A monthly value is flagged for the reviewer when it is more than this multiple of the compound's
# median over its previous MONTHLY_OUTLIER_HISTORY_MONTHS months (or less than the median divided
# by it), provided at least MONTHLY_OUTLIER_MIN_HISTORY of those months have data.
MONTHLY_OUTLIER_MULTIPLE = float(env("MONTHLY_OUTLIER_MULTIPLE", default="3"))
MONTHLY_OUTLIER_HISTORY_MONTHS = env_int("MONTHLY_OUTLIER_HISTORY_MONTHS", 6)
MONTHLY_OUTLIER_MIN_HISTORY = env_int("MONTHLY_OUTLIER_MIN_HISTORY", 3)
# ...and when it differs from that median by at least this much: a count (meetings, cases, guards...)
# and an amount in yuan, so that small numbers are not flagged (0 against a median of 0.5).
MONTHLY_OUTLIER_MIN_COUNT_DIFFERENCE = float(env("MONTHLY_OUTLIER_MIN_COUNT_DIFFERENCE", default="5"))
MONTHLY_OUTLIER_MIN_AMOUNT_DIFFERENCE = float(env("MONTHLY_OUTLIER_MIN_AMOUNT_DIFFERENCE", default="1000"))
# Excel uploads of monthly data: size limit in bytes.
MONTHLY_UPLOAD_MAX_BYTES = env_int("MONTHLY_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
# Checked inside the .xlsx before any Excel reader runs (common.uploads): total size once unzipped
# (a 5,000-compound template is about 8 MB), parts in the zip (the template has about 10), and the
# furthest row of any sheet (the largest street's compounds plus headroom).
MONTHLY_UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("MONTHLY_UPLOAD_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
MONTHLY_UPLOAD_MAX_ZIP_ENTRIES = env_int("MONTHLY_UPLOAD_MAX_ZIP_ENTRIES", 100)
MONTHLY_UPLOAD_MAX_ROWS = env_int("MONTHLY_UPLOAD_MAX_ROWS", 20000)
# An import that started this many seconds ago and that no live transaction holds any more (its
# worker, or in eager mode its web process, died) is re-run, at most MONTHLY_UPLOAD_MAX_ATTEMPTS
# times in all, then failed so its report can be edited again; beat checks every ..._CHECK_SECONDS.
MONTHLY_UPLOAD_STUCK_AFTER_SECONDS = env_int("MONTHLY_UPLOAD_STUCK_AFTER_SECONDS", 120)
MONTHLY_UPLOAD_STUCK_CHECK_SECONDS = env_int("MONTHLY_UPLOAD_STUCK_CHECK_SECONDS", 60)
MONTHLY_UPLOAD_MAX_ATTEMPTS = env_int("MONTHLY_UPLOAD_MAX_ATTEMPTS", 2)
# Registry files imported in the admin (.xlsx or CSV, common.resources): size, size once unzipped, rows.
REGISTRY_IMPORT_MAX_BYTES = env_int("REGISTRY_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
REGISTRY_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("REGISTRY_IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
REGISTRY_IMPORT_MAX_ROWS = env_int("REGISTRY_IMPORT_MAX_ROWS", 50000)

# The annual selection's public voting (公众点赞): candidates a verified number may vote for per day,
# code lifetime and attempts, and rate limits (count per hour): codes per number from one address, and
# everything one address or device cookie does (code requests, verifications, votes).
SELECTION_DAILY_VOTE_LIMIT = env_int("SELECTION_DAILY_VOTE_LIMIT", 3)
SELECTION_CODE_TTL_SECONDS = env_int("SELECTION_CODE_TTL_SECONDS", 300)
SELECTION_CODE_MAX_ATTEMPTS = env_int("SELECTION_CODE_MAX_ATTEMPTS", 5)
SELECTION_CODES_PER_NUMBER_HOURLY = env_int("SELECTION_CODES_PER_NUMBER_HOURLY", 5)
SELECTION_REQUESTS_PER_IP_HOURLY = env_int("SELECTION_REQUESTS_PER_IP_HOURLY", 60)
SELECTION_REQUESTS_PER_DEVICE_HOURLY = env_int("SELECTION_REQUESTS_PER_DEVICE_HOURLY", 30)
# Staff see an IP or device with at least this many votes within one hour as a suspicious burst.
SELECTION_BURST_THRESHOLD = env_int("SELECTION_BURST_THRESHOLD", 20)
# Where one-time codes go; the console backend logs them (development). Real gateways plug in here.
SELECTION_SMS_BACKEND = env("SELECTION_SMS_BACKEND", default="selection.sms.ConsoleSmsBackend")
# Nomination material: accepted file types are fixed in selection.services; this is the size limit.
SELECTION_MATERIAL_MAX_BYTES = env_int("SELECTION_MATERIAL_MAX_BYTES", 10 * 1024 * 1024)
