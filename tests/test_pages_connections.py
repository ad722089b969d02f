"""The relevé de connexions is offered where a person's proofs are: the manager's « Fiche
individuelle » and the learner's « Ma progression »."""

from __future__ import annotations

from pages import open_as, show_tab

DASHBOARD = "app_pages/dashboard.py"


LABELS = ["Relevé de connexions (CSV pour Excel)", "Relevé de connexions (PDF)"]


def download_labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_the_manager_and_the_learner_can_download_the_record(landlords):
    db, ids = landlords
    at = show_tab(
        open_as(landlords, "manager_a", DASHBOARD, personne=str(ids["alice"])), "Fiche individuelle"
    )
    assert not at.exception
    assert all(label in download_labels(at) for label in LABELS)
    mine = open_as(landlords, "alice", "app_pages/my_progress.py")
    assert not mine.exception
    assert all(label in download_labels(mine) for label in LABELS)
