"""The relevé de connexions is offered where a person's proofs are: the manager's « Fiche
individuelle » and the learner's « Ma progression »."""

# The world fixture is test_pages_dashboard's, imported: pytest sees it as a fixture here.
# ruff: noqa: F811
from __future__ import annotations

from test_pages_dashboard import open_page, show_tab, world  # noqa: F401

LABELS = ["Relevé de connexions (CSV pour Excel)", "Relevé de connexions (PDF)"]


def download_labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_the_manager_and_the_learner_can_download_the_record(world):
    db, ids = world
    at = show_tab(open_page(world, "manager_a", personne=str(ids["alice"])), "Fiche individuelle")
    assert not at.exception
    assert all(label in download_labels(at) for label in LABELS)
    mine = open_page(world, "alice", "app_pages/my_progress.py")
    assert not mine.exception
    assert all(label in download_labels(mine) for label in LABELS)
