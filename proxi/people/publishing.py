"""Publishing a scenario from the studio, as the administrative act it is: who may, and its
trace in the audit log. The file itself is written by proxi.content.studio.publish."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from proxi.content import studio
from proxi.people import audit
from proxi.people.permissions import Actor, require


def publish_scenario(db: sqlite_utils.Database, actor: Actor, text: str) -> Path:
    """Check, write and record; PublishRefused (nothing written) if the linter finds an error."""
    require(actor, "scenario.publish")
    path = studio.publish(text)
    audit.record(db, actor, "scenario.publish", f"scenario:{path.stem}")
    return path
