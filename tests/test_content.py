"""The shipped course and scenario library meet the bar the content issues set.

These are CONTENT checks (marked `content`): an edit of modules/ or scenarios/ may fail them,
never a code test. Code tests run on tests/fixtures/; `make test-fast` leaves these out.
"""

import pytest

from proxi.content import lint
from proxi.content.catalogue import content_dirs, load_catalogue
from proxi.content.course import Matching, Reflection

pytestmark = pytest.mark.content

MODULE_IDS = [
    "1-politique-de-la-ville",
    "2-bailleurs-et-partenaires",
    "3-incivilites-et-degradations",
    "4-gestion-des-conflits",
]
SCENARIO_IDS = {
    "bruit-nuit",
    "hall-occupe",
    "encombrants",
    "reclamation-loge",
    "tags-ascenseur",
    "apres-agression",
    "nouvel-agent",
    "reunion-travaux",
    "vivre-ensemble",
    "detresse-psychique",
    "chantier-educatif",
    "diagnostic-marchant",
    "mediation-voisins",
    "cellule-de-veille",
    "violences-conjugales",
}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def shipped_findings():
    findings, reports = lint.check(list(content_dirs()))
    return findings, {report.scenario_id: report for report in reports}


def test_the_shipped_content_has_no_error_and_no_warning(shipped_findings):
    findings, _ = shipped_findings
    assert [str(f) for f in findings] == []


def test_four_modules_in_the_sens_order(catalogue):
    assert list(catalogue.course.modules) == MODULE_IDS


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_each_module_has_the_substance_asked_for(catalogue, module_id):
    module = catalogue.course.modules[module_id]
    assert len(module.lessons) >= 5 and module.objectives and module.further_reading
    assert module.pass_mark == 70 and module.up_to_date
    for lesson in module.lessons:
        assert len(lesson.blocks()) >= 2, lesson.ref
        assert 10 <= lesson.duration <= 20, lesson.ref
        assert lesson.steps[-1].title == "Points clés à retenir", lesson.ref
        kinds = {type(block) for block in lesson.blocks()}
        assert kinds, lesson.ref
    assert len(module.quiz) >= 10
    for question in module.quiz:
        assert question.correct_indexes(), question.question
        assert all(option.feedback for option in question.options), question.question


def test_the_course_uses_every_kind_of_block(catalogue):
    blocks = [
        b
        for m in catalogue.course.modules.values()
        for lesson in m.lessons
        for b in lesson.blocks()
    ]
    assert any(isinstance(b, Matching) for b in blocks) and any(
        isinstance(b, Reflection) for b in blocks
    )


def test_glossary_has_the_field_s_terms(catalogue):
    glossary = catalogue.course.glossary
    assert len(glossary) >= 40
    for term in [
        "qpv",
        "gup",
        "gusp",
        "anru",
        "npnru",
        "anct",
        "cget",
        "tfpb",
        "clspd",
        "mjd",
        "asvp",
        "caf",
        "ccas",
        "oph",
        "esh",
        "sem",
        "ush",
        "caleol",
        "regie-de-quartier",
        "main-courante",
        "plainte",
        "droit-de-retrait",
        "troubles-anormaux-de-voisinage",
    ]:
        assert glossary[term].definition


def test_at_least_fourteen_scenarios_one_per_theme(catalogue):
    assert set(catalogue.scenarios) == SCENARIO_IDS and len(SCENARIO_IDS) >= 14
    assert {s.module for s in catalogue.scenarios.values()} == set(MODULE_IDS)


@pytest.mark.parametrize("scenario_id", sorted(SCENARIO_IDS))
def test_each_scenario_is_a_real_forum_theatre_play(catalogue, shipped_findings, scenario_id):
    scenario = catalogue.scenarios[scenario_id]
    report = shipped_findings[1][scenario_id]
    endings = {n.id: n.ending.outcome for n in scenario.nodes.values() if n.ending}
    assert len(scenario.nodes) >= 12 and len(endings) >= 3
    assert {"favourable", "defavorable"} <= set(endings.values())
    # Exhaustive exploration: every path ends, every ending is reached, the worst conduct never wins.
    assert report.endings_reached == endings
    assert report.paths is not None and all(report.paths_by_ending[e] >= 2 for e in endings)
    assert all(endings[node] != "favourable" for node in report.worst_endings)
    choices = [c for n in scenario.nodes.values() for c in n.choices]
    assert any(c.condition is not None for c in choices)
    assert all(c.feedback and c.competencies for c in choices)
    assert all(all(character.card.values()) for character in scenario.characters.values())
    decisions = [n for n in scenario.nodes.values() if not n.ending]
    assert all(n.trainer_notes and n.prompt for n in decisions)
    assert all(
        n.ending.debrief and n.ending.professional and n.ending.references
        for n in scenario.nodes.values()
        if n.ending
    )


@pytest.mark.parametrize("scenario_id", sorted(SCENARIO_IDS))
def test_an_early_effect_shows_up_later(catalogue, scenario_id):
    """Some variable set by a choice is read by a later condition (choices that matter later)."""
    from proxi.content.expr import names

    scenario = catalogue.scenarios[scenario_id]
    written = {e.variable for n in scenario.nodes.values() for c in n.choices for e in c.effects}
    read = {
        v
        for n in scenario.nodes.values()
        for c in n.choices
        if c.condition
        for v in names(c.condition)
    }
    assert written & read


def _all_content_text() -> str:
    modules, scenarios = content_dirs()
    files = [*modules.rglob("*.md"), *modules.rglob("*.yaml"), *scenarios.glob("*.yaml")]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


@pytest.mark.parametrize(
    "wrong",
    [
        "grave et immédiat",  # droit de retrait: « grave et imminent » (art. L4131-1)
        "critère principal",  # QPV: one criterion, low incomes
        "dont une partie est tirée au sort",  # conseils citoyens: no longer the rule as such
        "comme le règlement intérieur",  # smoking in common areas is banned by law
        "Je note votre plainte",  # a tenant's complaint is a « réclamation »
        "Art. 1388 bis du code général des impôts (abattement de TFPB : actions",  # not for dumping
        "compte-rendu",  # one spelling: « compte rendu »
        "un mail",  # one word: « courriel »
        "l'amicale",  # one term: « association de locataires »
    ],
)
def test_a_corrected_fact_does_not_come_back(wrong):
    assert wrong not in _all_content_text()


@pytest.mark.parametrize(
    "right",
    [
        "Engagements Quartiers 2030",
        "depuis le 1er janvier 2024",
        "L3512-8",
        "R1337-7",
        "de jour comme de nuit",
        "dans les 48 heures",
        "Au-delà de 8 jours",
        "706-57",
        "15-3 du code",
        "anciennement art. L126-3",
        "78-6 du code de procédure pénale",
        "R634-2 et R635-8",
        "loi du 22 juillet 2019",
    ],
)
def test_a_corrected_fact_is_stated(right):
    assert right in _all_content_text()


def test_distinct_people_have_distinct_names_across_scenarios(catalogue):
    """A name met in one scenario is not someone else in another (« Vous » aside)."""
    import re

    seen: dict[str, str] = {}
    for scenario in catalogue.scenarios.values():
        for character in scenario.characters.values():
            name = re.split(r"[(,]", character.name)[0].strip()
            if name.startswith("Vous"):
                continue
            assert seen.setdefault(name, scenario.id) == scenario.id, (name, seen[name])


def test_no_position_wins_more_than_its_share_over_seeded_playthroughs(catalogue):
    """Authors list the best choice first; the engine's per-playthrough order hides it."""
    import random

    from proxi.content import engine

    wins, expected = {}, {}
    for scenario in catalogue.scenarios.values():
        for seed in range(60):
            state, rng = engine.start(scenario, seed), random.Random(seed)
            while not engine.is_over(scenario, state):
                shown = engine.available_choices(scenario, state)
                best = max(range(len(shown)), key=lambda position: shown[position].weight)
                wins[best] = wins.get(best, 0) + 1
                for position in range(len(shown)):
                    expected[position] = expected.get(position, 0) + 1 / len(shown)
                state = engine.choose(scenario, state, rng.choice(shown).index)
    assert sum(wins.values()) > 3000
    for position, count in wins.items():
        bound = 1.1 * expected[position] + 3 * expected[position] ** 0.5  # 3 sigma of noise
        assert count <= bound, (position, count, expected[position])


def test_module_1_gives_the_neighbourhoods_figures_with_their_public_sources(catalogue):
    """Issue 15: the sociology of the neighbourhoods with figures from public sources, cited."""
    module = catalogue.course.modules["1-politique-de-la-ville"]
    lesson = module.lesson("05-habitants-et-regards")
    text = "\n".join(part for step in lesson.steps for part in step.parts if isinstance(part, str))
    for figure in ("1 362 QPV", "5,3 millions", "35 ans en moyenne", "un ménage sur six", "42 %"):
        assert figure in text
    for source in ("Insee Première n° 2008", "Insee Première n° 1996", "Insee Première n° 1593"):
        assert source in text
        assert any(source in item for item in module.further_reading)
