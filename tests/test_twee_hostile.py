"""Twine import: ending tags, StoryData's start, passages that slug alike, long titles."""

from __future__ import annotations

from proxi.content import twee

STORY = """:: StoryTitle
Le hall

:: StoryData
{"ifid": "X", "format": "Harlowe", "start": "Début"}

:: Avant-propos
Un texte que l'on ne lit pas en premier. [[Début]]

:: Début
Des jeunes occupent le hall. [[Parler->Fin heureuse]] [[Appeler->Fin malheureuse]] [[Attendre->Début!]]

:: Début!
Vous attendez. [[Fin heureuse]]

:: Fin heureuse [ending favourable]
Le dialogue s'installe et tout le monde repart plus calme qu'à l'arrivée, ce qui est rare.

:: Fin malheureuse [ending unfavourable]
La situation s'envenime.
"""


def test_ending_tags_start_passage_distinct_ids_and_whole_word_titles():
    scenario = twee.convert(STORY, "hall", "1-essai")
    nodes = scenario["nodes"]
    assert scenario["start"] == "debut"
    assert set(nodes) == {"avant_propos", "debut", "debut_2", "fin_heureuse", "fin_malheureuse"}
    assert [c["goto"] for c in nodes["debut"]["choices"]] == [
        "fin_heureuse",
        "fin_malheureuse",
        "debut_2",
    ]
    assert nodes["debut_2"]["narration"] == "Vous attendez."
    assert nodes["fin_heureuse"]["ending"]["outcome"] == "favourable"
    assert nodes["fin_malheureuse"]["ending"]["outcome"] == "defavorable"
    title = nodes["fin_heureuse"]["ending"]["title"]
    assert title == "Le dialogue s'installe et tout le monde repart plus calme…"
    assert len(title) <= twee.TITLE_LENGTH
