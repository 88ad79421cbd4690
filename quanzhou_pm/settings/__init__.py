"""Settings assembled from one module per concern; every value comes from the environment."""
from .base import *  # noqa: F401,F403
from .database import *  # noqa: F401,F403
from .cache import *  # noqa: F401,F403
from .celery import *  # noqa: F401,F403
from .api import *  # noqa: F401,F403
from .security import *  # noqa: F401,F403
from .portal import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .email import *  # noqa: F401,F403
