"""The studio's work in the database: drafts per author and scenario, proposals, publication,
refusal and restoration, each audited; who may do which."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxi.content import studio
from proxi.errors import NotAllowed, ProxiError
from proxi.ops import privacy
from proxi.people import accounts, audit, authoring
from proxi.people.permissions import OPERATOR

FIXTURES = Path(__file__).parent / "fixtures"
PORTE = (FIXTURES / "scenarios" / "porte.yaml").read_text(encoding="utf-8")
EDITED = PORTE.replace("Un locataire se plaint", "Un voisin se plaint")
BROKEN = PORTE.replace("goto: colere\n", "goto: nulle_part\n")
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def content(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXI_MODULES_DIR", str(FIXTURES / "modules"))
    monkeypatch.setenv("PROXI_SCENARIOS_DIR", str(tmp_path))
    (tmp_path / "porte.yaml").write_text(PORTE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def trainer(db, organisation):
    return accounts.create_person(
        db, OPERATOR, "nadia", "Nadia Benali", PASSWORD, roles=("trainer",)
    )


@pytest.fixture
def coordinator(db, organisation):
    return accounts.create_person(
        db, OPERATOR, "claire", "Claire Morel", PASSWORD, roles=("coordinator",)
    )


def actions(db, coordinator) -> list[tuple[str, str, dict]]:
    entries = reversed(audit.entries(db, coordinator))
    return [(e.action, e.target, e.details) for e in entries if e.action.startswith("scenario.")]


def test_one_draft_per_author_and_scenario_until_discarded(db, trainer, coordinator):
    authoring.save_draft(db, trainer, "porte", EDITED)
    authoring.save_draft(db, trainer, "porte", BROKEN)  # a later edit replaces it
    authoring.save_draft(db, trainer, authoring.NEW, studio.template_text())
    authoring.save_draft(db, coordinator, "porte", PORTE + "\n")
    assert authoring.draft(db, trainer, "porte").text == BROKEN
    assert [d.opened for d in authoring.drafts(db, trainer)] == [authoring.NEW, "porte"]
    assert authoring.draft(db, coordinator, "porte").text == PORTE + "\n"
    authoring.discard_draft(db, trainer, "porte")
    assert authoring.draft(db, trainer, "porte") is None
    assert authoring.draft(db, coordinator, "porte") is not None


def test_a_draft_over_two_megabytes_is_refused_in_french(db, trainer):
    with pytest.raises(ProxiError, match="trop volumineux"):
        authoring.save_draft(db, trainer, "porte", "x" * 2_000_001)
    assert authoring.draft(db, trainer, "porte") is None


def test_who_may_do_what(db, trainer, coordinator, learner):
    with pytest.raises(NotAllowed):
        authoring.save_draft(db, learner, "porte", EDITED)
    with pytest.raises(NotAllowed, match="coordination"):
        authoring.publish(db, trainer, EDITED, "porte")
    with pytest.raises(NotAllowed):
        authoring.propose(db, learner, EDITED, "porte")
    with pytest.raises(NotAllowed):
        authoring.decline(db, trainer, 1, "non")
    with pytest.raises(NotAllowed):
        authoring.restore(db, trainer, "porte-20261201T000000000000.yaml")


def test_a_proposal_published_by_the_coordination(db, trainer, coordinator, content):
    authoring.save_draft(db, trainer, "porte", EDITED)
    with pytest.raises(studio.PublishRefused, match="erreurs"):
        authoring.propose(db, trainer, BROKEN, "porte")
    first = authoring.propose(db, trainer, PORTE.replace("M. Roche", "M. Rocher"), "porte")
    proposal = authoring.propose(db, trainer, EDITED, "porte", note="  Plus clair.  ")
    assert [p.id for p in authoring.proposals(db, coordinator)] == [proposal.id]  # replaced
    assert authoring.proposal(db, first.id).status == "replaced"
    assert (proposal.note, proposal.author_name) == ("Plus clair.", "Nadia Benali")
    assert authoring.proposals(db, trainer) == [proposal]

    path = authoring.publish(db, coordinator, EDITED, "porte", proposal.id)
    assert "Un voisin se plaint" in path.read_text(encoding="utf-8")
    assert authoring.proposal(db, proposal.id).status == "published"
    assert authoring.proposals(db, coordinator) == []
    assert authoring.draft(db, trainer, "porte") is None  # the text proposed is published
    with pytest.raises(ProxiError, match="déjà été traitée"):
        authoring.publish(db, coordinator, EDITED, "porte", proposal.id)
    assert actions(db, coordinator) == [
        ("scenario.propose", "scenario:porte", {"proposal": first.id}),
        ("scenario.propose", "scenario:porte", {"proposal": proposal.id}),
        ("scenario.publish", "scenario:porte", {"proposal": proposal.id}),
    ]


def test_the_proposers_draft_edited_since_is_kept(db, trainer, coordinator):
    proposal = authoring.propose(db, trainer, EDITED, "porte")
    authoring.save_draft(db, trainer, "porte", EDITED.replace("Rupture", "Rupture nette"))
    authoring.publish(db, coordinator, EDITED, "porte", proposal.id)
    assert "Rupture nette" in authoring.draft(db, trainer, "porte").text


def test_a_refusal_says_why(db, trainer, coordinator, content):
    proposal = authoring.propose(db, trainer, EDITED, "porte")
    with pytest.raises(ProxiError, match="pourquoi"):
        authoring.decline(db, coordinator, proposal.id, "  ")
    authoring.decline(db, coordinator, proposal.id, "Gardons le locataire.")
    declined = authoring.proposal(db, proposal.id)
    assert (declined.status, declined.reason) == ("declined", "Gardons le locataire.")
    assert "Un locataire" in (content / "porte.yaml").read_text(encoding="utf-8")
    assert actions(db, coordinator)[-1] == (
        "scenario.decline",
        "scenario:porte",
        {"proposal": proposal.id},
    )


def test_a_new_scenario_cannot_take_another_ones_id(db, coordinator, content, monkeypatch):
    with pytest.raises(studio.PublishRefused, match="déjà celui d'une autre"):
        authoring.publish(db, coordinator, PORTE, authoring.NEW)
    monkeypatch.delenv("PROXI_MODULES_DIR")  # the template names a shipped module
    new = studio.template_text()
    assert authoring.publish(db, coordinator, new, authoring.NEW).name == "nouvelle-situation.yaml"


def test_versions_are_listed_and_restored_with_an_audit_entry(db, coordinator, content):
    authoring.publish(db, coordinator, EDITED, "porte")
    authoring.publish(db, coordinator, EDITED.replace("Rupture", "Rupture nette"), "porte")
    kept = studio.versions("porte")
    assert len(kept) == 2 and kept[0].replaced_at > kept[1].replaced_at
    assert "Un voisin" in studio.version_text(kept[0].name)
    assert "Un locataire" in studio.version_text(kept[1].name)

    authoring.restore(db, coordinator, kept[1].name)
    assert (content / "porte.yaml").read_text(encoding="utf-8") == PORTE
    assert len(studio.versions("porte")) == 3  # what was replaced is kept in turn
    assert actions(db, coordinator)[-1] == (
        "scenario.restore",
        "scenario:porte",
        {"version": kept[1].name},
    )
    with pytest.raises(ProxiError, match="introuvable"):
        studio.version_text("../porte.yaml")


def test_an_erasure_removes_drafts_and_anonymises_proposals(db, trainer, coordinator):
    authoring.save_draft(db, trainer, "porte", EDITED)
    proposal = authoring.propose(db, trainer, EDITED, "porte")
    privacy.erase_person(db, coordinator, trainer.id)
    assert authoring.draft(db, trainer, "porte") is None
    kept = authoring.proposal(db, proposal.id)
    assert kept.text == EDITED and kept.author_name == privacy.ANONYMOUS_NAME
