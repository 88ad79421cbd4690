"""Settings of the campaign itself (domain knobs), each overridable from the environment."""
from .env import env, env_list

# Housing types whose compounds are eligible for an owners' committee (committee_formation_rate).
COMMITTEE_ELIGIBLE_HOUSING_TYPES = env_list("COMMITTEE_ELIGIBLE_HOUSING_TYPES", ["commodity"])
# The city this deployment serves, by its division code.
PORTAL_CITY_CODE = env("PORTAL_CITY_CODE", default="350500")
