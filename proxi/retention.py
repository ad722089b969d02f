"""How long detailed learning events are kept (configurable), and the purge that enforces it."""

from __future__ import annotations

import os

DEFAULT_RETENTION_DAYS = 730


def retention_days() -> int:
    """Days detailed events are kept: $PROXI_RETENTION_DAYS, else two years."""
    try:
        return max(1, int(os.environ.get("PROXI_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))
    except ValueError:
        return DEFAULT_RETENTION_DAYS
