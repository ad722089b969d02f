"""Dates as French readers and French spreadsheets expect them."""

from __future__ import annotations


def french_date(iso: str | None) -> str:
    """« 25/11/2026 » from an ISO date or timestamp; empty when there is none."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if iso else ""
