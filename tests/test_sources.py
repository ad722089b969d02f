"""Every article the course cites is in the `sources:` list of its file."""

from pathlib import Path

import pytest
from linting import PORTE, findings_for, line_of

from proxi.content import lint
from proxi.content.catalogue import content_dirs, load_catalogue
from proxi.content.sources import cited_articles, listed_articles
from proxi.content.sources import strings as yaml_strings

pytestmark = pytest.mark.usefixtures("fixture_course")  # scenarios belong to « 1-essai »


def test_citations_are_read_in_lists_and_normalised():
    text = "art. 10-2, 40-4-1 et 706-57 ; article L. 272-4 ; Art. 1388 bis ; départ. 7"
    assert [article for _, article in cited_articles(text)] == [
        "10-2",
        "40-4-1",
        "706-57",
        "L272-4",
        "1388 bis",
    ]


def test_a_scenario_citing_an_unlisted_article_is_warned_at_the_citation(tmp_path):
    cited = PORTE.replace("Écoute puis trace écrite.", "Écoute (art. R623-2 du code pénal).")
    assert ("S123", line_of(cited, "art. R623-2")) in findings_for(tmp_path, cited)
    listed = cited.replace('art. 322-1 (dégradations)"', 'art. 322-1 et R623-2"', 1)
    assert findings_for(tmp_path, listed) == []


def test_a_lesson_citing_an_unlisted_article_is_warned_at_its_line(tmp_path, monkeypatch):
    import shutil

    monkeypatch.delenv("PROXI_MODULES_DIR")
    modules = tmp_path / "modules"
    shutil.copytree(content_dirs()[0], modules)
    lesson = next((modules / "3-incivilites-et-degradations").glob("01-*.md"))
    text = lesson.read_text(encoding="utf-8") + "\nVoir aussi l'art. 999-1 du code pénal.\n"
    lesson.write_text(text, encoding="utf-8")
    findings, _ = lint.check([modules])
    assert [(f.code, Path(f.path).name, f.line) for f in findings] == [
        ("M214", lesson.name, len(text.splitlines()))
    ]


def test_every_shipped_file_lists_the_articles_it_cites(monkeypatch):
    monkeypatch.delenv("PROXI_MODULES_DIR")
    catalogue = load_catalogue()
    for scenario in catalogue.scenarios.values():
        cited = {
            a for _, text in yaml_strings(scenario.source.data) for _, a in cited_articles(text)
        }
        assert cited <= listed_articles(scenario.sources), scenario.id
    for module in catalogue.course.modules.values():
        texts = [Path(module.path).read_text(encoding="utf-8")]
        texts += [Path(lesson.path).read_text(encoding="utf-8") for lesson in module.lessons]
        cited = {a for text in texts for _, a in cited_articles(text)}
        assert cited and cited <= listed_articles(module.sources), module.id
