"""An edited or published content file reaches the running app without a restart."""

import os

from pages import logged_in, make_person, no_exception, texts, use_temporary_world

from app_pages import ui


def rewrite(path, old: str, new: str) -> None:
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def two_seconds_later() -> None:
    """The file fingerprint is re-read at most every 2 s: let that time pass."""
    ui.content_changed()


def test_an_edited_title_shows_on_the_next_run(tmp_path, monkeypatch):
    db_path = use_temporary_world(tmp_path, monkeypatch)
    at = logged_in(db_path, make_person(db_path, "alice"), "app_pages/scenario.py")
    assert at.selectbox[0].options == ["La porte du local vélos"]
    rewrite(
        tmp_path / "scenarios" / "porte.yaml",
        "title: La porte du local vélos",
        "title: La porte du garage",
    )
    two_seconds_later()
    at.run()
    no_exception(at)
    assert at.selectbox[0].options == ["La porte du garage"]


def test_a_learner_mid_scenario_is_told_when_the_file_changed_under_them(tmp_path, monkeypatch):
    db_path = use_temporary_world(tmp_path, monkeypatch)
    at = logged_in(db_path, make_person(db_path, "alice"), "app_pages/scenario.py")
    next(b for b in at.button if b.label == "Vous l'écoutez.").click().run()
    assert "Il se calme un peu." in texts(at)
    rewrite(tmp_path / "scenarios" / "porte.yaml", "  accueil:", "  loge:")
    rewrite(tmp_path / "scenarios" / "porte.yaml", "start: accueil", "start: loge")
    two_seconds_later()
    at.run()
    no_exception(at)
    assert "a été modifiée depuis votre dernière partie" in texts(at)
    assert "M. Roche arrive à la loge." in texts(at)
    next(b for b in at.button if b.label == "Vous l'écoutez.").click().run()
    no_exception(at)
    assert "Il se calme un peu." in texts(at)


def test_a_learner_mid_scenario_keeps_playing_when_only_a_text_changed(tmp_path, monkeypatch):
    db_path = use_temporary_world(tmp_path, monkeypatch)
    at = logged_in(db_path, make_person(db_path, "alice"), "app_pages/scenario.py")
    next(b for b in at.button if b.label == "Vous l'écoutez.").click().run()
    rewrite(tmp_path / "scenarios" / "porte.yaml", "Il se calme un peu.", "Il se calme enfin.")
    two_seconds_later()
    at.run()
    no_exception(at)
    assert "Il se calme enfin." in texts(at)
    assert "a été modifiée" not in texts(at)
