"""Technology deputies (科技副职) and technology specialists (科技特派员)."""

from .ledger import *  # noqa: F403  (temporary during the move)
from .ledger import _truthy  # noqa: F401
