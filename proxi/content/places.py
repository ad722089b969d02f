"""Where content lives on disk: the shipped folders or the ones the environment names."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def content_dirs() -> tuple[Path, Path]:
    """Where modules and scenarios live: $PROXI_MODULES_DIR / $PROXI_SCENARIOS_DIR or the repo's."""
    return (
        Path(os.environ.get("PROXI_MODULES_DIR") or ROOT / "modules"),
        Path(os.environ.get("PROXI_SCENARIOS_DIR") or ROOT / "scenarios"),
    )
