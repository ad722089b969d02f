"""Exports: CSV for French Excel, xAPI statements, and sending them to a real LRS.

The LRS is ralph (ralph-malph[lrs,backend-fs,cli]) run on loopback. Its FastAPI pin needs a
Starlette older than Streamlit accepts, so it cannot live in the project's environment: it
gets a virtualenv of its own, .venv/lrs, that `make test` installs from
tests/lrs-requirements.txt (or $PROXI_RALPH names a ralph executable). Its file backend accepts one write per store, so each test that writes
gets a fresh server and store directory.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from proxi.cli import main
from proxi.documents import lrs as sender
from proxi.documents import spreadsheet, xapi
from proxi.people import accounts
from proxi.progress import reports, store
from proxi.progress.db import open_db

REPO = Path(__file__).resolve().parent.parent
LRS_VENV = REPO / ".venv" / "lrs"
LRS_USER, LRS_PASSWORD = "proxi", "mot-de-passe-lrs"
ISO_WITH_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def db_path(tmp_path, two_landlords) -> Path:
    path = tmp_path / "progress.db"
    database = open_db(path)
    two_landlords(database)
    database.close()
    return path


@pytest.fixture
def db(db_path):
    database = open_db(db_path)
    yield database
    database.close()


# --- CSV -------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_semicolons_and_crlf():
    data = spreadsheet.to_csv(["Nom", "Score"], [["Éloïse", 12.5], ["Léo", None]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "Nom;Score\r\nÉloïse;12,5\r\nLéo;\r\n"


@pytest.mark.parametrize("dangerous", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_neutralises_cells_that_would_run_as_formulas(dangerous):
    text = spreadsheet.to_csv(["Nom"], [[dangerous]]).decode("utf-8-sig")
    cell = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert cell == ["Nom"]
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1] == ["'" + dangerous]


def test_csv_quotes_separators_and_line_breaks_inside_cells():
    text = spreadsheet.to_csv(["Nom"], [["Dupont; Jean\nsite"]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[1] == ["Dupont; Jean\nsite"]


def test_matrix_csv_has_a_column_per_item_and_french_values(db):
    rows = reports.matrix(db, reports.Viewer.system())
    items = [("m1", "Module 1", "module"), ("s1", "Situation 1", "scenario")]
    text = spreadsheet.matrix_csv(rows, items).decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    alice = next(line for line in table if line["Nom"] == "Alice Abri")
    assert alice["Module 1 — statut"] == "Terminé"
    assert alice["Module 1 — score (%)"] == "90"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", alice["Module 1 — date"])
    bruno = next(line for line in table if line["Nom"] == "Bruno Bel")
    assert bruno["Situation 1 — issue"] == "Favorable"


def test_cli_exports_csv(db_path, tmp_path, capsys):
    target = tmp_path / "progression.csv"
    assert main(["export", "csv", "--db", str(db_path), "--to", str(target)]) == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbfNom;Identifiant;")
    assert "4 personnes" in capsys.readouterr().out


# --- xAPI statements ---------------------------------------------------------------------------


def all_statements(db) -> list[dict]:
    settings = xapi.xapi_settings(db, {"m1": "Module 1"})
    return [s for _, s in xapi.statements(db, settings, reports.Viewer.system(), chunk=7)]


def walk(value, path=""):
    """(path, value) for every leaf and node of a JSON value."""
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from walk(inner, f"{path}[{index}]")


def test_one_statement_per_event_with_the_event_uuid_as_id(db):
    found = all_statements(db)
    uuids = [row[0] for row in db.execute("SELECT uuid FROM events ORDER BY id")]
    assert [s["id"] for s in found] == uuids
    assert all(uuid.UUID(s["id"]).version == 4 for s in found)


def test_statements_are_valid_xapi_shapes(db):
    for statement in all_statements(db):
        assert statement["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")
        assert statement["object"]["id"].startswith("http://")
        assert statement["object"]["definition"]["type"].startswith(
            "http://adlnet.gov/expapi/activities/"
        )
        assert ISO_WITH_ZONE.match(statement["timestamp"])
        assert all(value is not None for _, value in walk(statement)), statement
        for path, value in walk(statement):
            if path.endswith(".extensions"):
                assert all(key.startswith("http") for key in value)
        score = statement.get("result", {}).get("score")
        if score:
            assert score["min"] <= score["raw"] <= score["max"] and -1 <= score["scaled"] <= 1


def test_actor_is_an_opaque_stable_account(db):
    alice = accounts.person_by_identifier(db, "alice")
    first = all_statements(db)
    names = {s["actor"]["account"]["name"] for s in first}
    assert not any("alice" in name.lower() or "Abri" in name for name in names)
    assert {s["actor"]["account"]["homePage"] for s in first} == {xapi.DEFAULT_PUBLIC_URL}
    settings = xapi.xapi_settings(db)
    assert xapi.actor_name(settings, alice.id) in names
    assert [s["actor"] for s in all_statements(db)] == [s["actor"] for s in first]


def test_choices_are_responses_to_a_decision_inside_the_scenario(db):
    chose = [s for s in all_statements(db) if s["verb"]["id"].endswith("/responded")]
    assert chose and all(s["object"]["id"].endswith(("/s1/n1", "/s1/n2")) for s in chose)
    parents = chose[0]["context"]["contextActivities"]["parent"]
    assert parents[0]["id"].endswith("/activities/scenario/s1")


def test_statements_validate_against_ralphs_models(db, tmp_path):
    python = ralph_python()
    statements_file = tmp_path / "statements.json"
    statements_file.write_text(json.dumps(all_statements(db)))
    check = (
        "import json, sys\n"
        "from ralph.models.xapi.base.statements import BaseXapiStatement\n"
        "for s in json.load(open(sys.argv[1])):\n"
        "    BaseXapiStatement.model_validate(s)\n"
    )
    done = subprocess.run([python, "-c", check, str(statements_file)], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-2000:]


# --- Sending -------------------------------------------------------------------------------------


class FakeLrs:
    """Stands in for urlopen: records batches, answers like an LRS that keeps what it got."""

    def __init__(self, conflicting: set[str] = frozenset()) -> None:
        self.stored: set[str] = set()
        self.requests: list[urllib.request.Request] = []
        self.conflicting = conflicting

    def __call__(self, request, timeout=None):
        self.requests.append(request)
        batch = json.loads(request.data)
        ids = [s["id"] for s in batch]
        if self.conflicting & set(ids):
            raise urllib.error.HTTPError(request.full_url, 409, "Conflict", {}, io.BytesIO(b"{}"))
        new = [i for i in ids if i not in self.stored]
        self.stored |= set(new)
        return FakeResponse(200 if new else 204, json.dumps(new).encode() if new else b"")


class FakeResponse(io.BytesIO):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(body)
        self.status = status


def test_send_posts_batches_with_auth_and_version_headers(db):
    fake = FakeLrs()
    pairs = list(xapi.statements(db, xapi.xapi_settings(db), reports.Viewer.system()))
    report = sender.send(
        pairs, "http://lrs.test/xapi/", user="u", password="p", batch=4, opener=fake
    )
    assert report.sent == len(pairs) and report.batches == -(-len(pairs) // 4)
    request = fake.requests[0]
    assert request.full_url == "http://lrs.test/xapi/statements"
    assert request.get_header("X-experience-api-version") == "1.0.3"
    assert request.get_header("Authorization") == "Basic " + base64.b64encode(b"u:p").decode()


def test_sending_again_counts_duplicates_and_stores_nothing_twice(db):
    fake = FakeLrs()
    pairs = list(xapi.statements(db, xapi.xapi_settings(db), reports.Viewer.system()))
    sender.send(pairs, "http://lrs.test/xapi", batch=5, opener=fake)
    again = sender.send(pairs, "http://lrs.test/xapi", batch=5, opener=fake)
    assert (again.sent, again.duplicates) == (0, len(pairs))


def test_a_conflict_is_isolated_and_counted_apart(db):
    pairs = list(xapi.statements(db, xapi.xapi_settings(db), reports.Viewer.system()))
    fake = FakeLrs(conflicting={pairs[1][1]["id"]})
    report = sender.send(pairs[:4], "http://lrs.test/xapi", batch=4, opener=fake)
    assert (report.sent, report.duplicates, report.conflicts) == (3, 0, 1)


def test_the_cli_reports_conflicts_and_exits_non_zero(db_path, capsys, monkeypatch):
    with open_db(db_path) as db:
        pairs = list(xapi.statements(db, xapi.xapi_settings(db), reports.Viewer.system()))
    fake = FakeLrs(conflicting={pairs[0][1]["id"]})
    monkeypatch.setattr(sender.urllib.request, "urlopen", fake)
    assert main(["export", "xapi", "--db", str(db_path), "--to", "http://lrs.test/xapi"]) == 1
    printed = capsys.readouterr().out
    assert "1 déclaration(s) en conflit" in printed and "0 déjà présentes" in printed


# --- A real LRS on loopback ------------------------------------------------------------------------


def ralph_python() -> str:
    """The Python of ralph's own environment (see the module docstring)."""
    given = os.environ.get("PROXI_RALPH")
    if given:
        return str(Path(given).with_name("python"))
    if not (LRS_VENV / "bin" / "ralph").exists():
        message = f"ralph (the test LRS) is not installed in {LRS_VENV}: run `make test`"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must prove the LRS round trip, not skip it
        pytest.skip(message)
    return str(LRS_VENV / "bin" / "python")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lrs(str):
    """The URL of a test LRS, that also knows where ralph's file back end keeps the store."""

    def __new__(cls, url: str, store: Path):
        made = super().__new__(cls, url)
        made.store = store
        return made

    def make_room(self) -> None:
        """Let the next write in: ralph's file back end writes one file once (HTTP 500 after),
        where a production back end appends. The statements stay on disk, read by `kept`."""
        current = self.store / "fs_lrs.jsonl"
        if current.exists():
            current.rename(self.store / f"kept-{len(list(self.store.iterdir()))}.jsonl")

    def kept(self) -> list[dict]:
        """Every statement the LRS wrote, in every store file, in writing order."""
        files = sorted(self.store.glob("kept-*.jsonl"), key=lambda p: int(p.stem[5:]))
        files += [self.store / "fs_lrs.jsonl"] if (self.store / "fs_lrs.jsonl").exists() else []
        return [json.loads(line) for f in files for line in f.read_text().splitlines() if line]


@pytest.fixture
def lrs(tmp_path):
    """A fresh ralph LRS on loopback (file backend), with one Basic-auth user."""
    ralph = str(Path(ralph_python()).with_name("ralph"))
    home, port = tmp_path / "ralph", free_port()
    (home / "store").mkdir(parents=True)
    env = {**os.environ, "RALPH_APP_DIR": str(home), "RALPH_RUNSERVER_BACKEND": "fs"}
    env["RALPH_AUTH_FILE"] = str(home / "auth.json")
    subprocess.run(
        [ralph, "auth", "-u", LRS_USER, "-p", LRS_PASSWORD, "-s", "all", "-w",
         "-A", "proxi-export", "http://localhost"],
        env=env, check=True, capture_output=True, cwd=home,
    )  # fmt: skip
    server = subprocess.Popen(
        [ralph, "runserver", "-b", "fs", "--fs-default-directory-path", str(home / "store"),
         "-h", "127.0.0.1", "-p", str(port)],
        env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # uvicorn's reloader forks: stop the whole group
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/xAPI/"
    try:
        wait_until_up(f"http://127.0.0.1:{port}/__heartbeat__", server)
        yield Lrs(url, home / "store")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail("the LRS stopped at start-up")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    pytest.fail("the LRS did not start within a minute")


def stored_ids(url: str) -> list[str]:
    auth = base64.b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()
    found, next_url = [], url + "statements?limit=500"
    while next_url:
        request = urllib.request.Request(
            next_url,
            headers={"Authorization": f"Basic {auth}", "X-Experience-API-Version": "1.0.3"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            page = json.load(response)
        found += [s["id"] for s in page["statements"]]
        more = page.get("more")
        next_url = url.split("/xAPI/")[0] + more if more and page["statements"] else None
    return found


def test_cli_sends_every_statement_to_a_real_lrs_and_resending_is_safe(lrs, db_path, capsys):
    command = ["export", "xapi", "--db", str(db_path), "--to", lrs]
    command += ["--user", LRS_USER, "--password", LRS_PASSWORD, "--batch", "1000"]
    assert main(command) == 0
    database = open_db(db_path)
    uuids = sorted(row[0] for row in database.execute("SELECT uuid FROM events"))
    database.close()
    assert sorted(stored_ids(lrs)) == uuids
    assert f"{len(uuids)} déclarations xAPI envoyées" in capsys.readouterr().out
    assert main(command) == 0  # the mark: nothing new since
    assert "0 déclarations xAPI envoyées, 0 déjà présentes, en 0 lot(s)" in capsys.readouterr().out
    assert main([*command, "--from-start", "--batch", "3"]) == 0  # same ids: duplicates
    assert f"0 déclarations xAPI envoyées, {len(uuids)} déjà présentes" in capsys.readouterr().out
    assert sorted(stored_ids(lrs)) == uuids


def test_a_wrong_password_is_a_french_one_line_error(lrs, db_path, capsys):
    command = ["export", "xapi", "--db", str(db_path), "--to", lrs]
    assert main([*command, "--user", LRS_USER, "--password", "faux"]) == 1
    assert "refuse l'accès (HTTP 401)" in capsys.readouterr().err


def test_an_export_is_named_with_its_scope_and_day():
    from datetime import date

    from proxi.documents.spreadsheet import file_name

    on = date(2026, 12, 2)
    assert file_name("suivi", "Habitat Val de Seine", on) == (
        "proxi-suivi-habitat-val-de-seine-2026-12-02.csv"
    )
    assert (
        file_name("suivi", "Société d'HLM « Île »", on)
        == "proxi-suivi-societe-d-hlm-ile-2026-12-02.csv"
    )
    assert file_name("suivi", "???", on) == "proxi-suivi-sans-nom-2026-12-02.csv"


LRS_AUTH = ["--user", LRS_USER, "--password", LRS_PASSWORD]


def test_an_export_cut_mid_way_resumes_where_it_stopped_and_doubles_nothing(lrs, db_path, capsys):
    """Several batches, the LRS failing after the first of each run (ralph's file back end
    refuses a second write with HTTP 500): each rerun sends only what was not accepted."""
    with open_db(db_path) as database:
        uuids = [row[0] for row in database.execute("SELECT uuid FROM events ORDER BY id")]
    command = ["export", "xapi", "--db", str(db_path), "--to", lrs, *LRS_AUTH, "--batch", "4"]
    runs = 0
    while main(command) == 1:
        runs += 1
        error = capsys.readouterr().err
        assert "HTTP 500" in error and "ne seront pas dupliquées" in error
        with open_db(db_path) as database:
            assert sender.export_mark(database, lrs) == min(4 * runs, len(uuids))
        lrs.make_room()
        assert runs <= len(uuids), "the export never finished"
    assert runs == -(-len(uuids) // 4) - 1  # every batch but the last one failed after it
    assert [s["id"] for s in lrs.kept()] == uuids  # each once, in order


def reflection_world(db_path) -> tuple[str, str]:
    """Alice writes a reflection; (her identifier, the text)."""
    text = "Je me suis senti démuni face à M. Roche, qui habite au 3e gauche."
    with open_db(db_path) as database:
        alice = accounts.person_by_identifier(database, "alice")
        store.record_answer(database, alice.id, "m1/l1#reflexion", text, None, {"module_id": "m1"})
    return "alice", text


def test_a_reflection_s_text_stays_in_proxi_unless_the_export_asks_for_it(db_path):
    _, text = reflection_world(db_path)
    with open_db(db_path) as database:
        for free_text, sent in ((False, False), (True, True)):
            settings = xapi.xapi_settings(database, free_text=free_text)
            found = [s for _, s in xapi.statements(database, settings, reports.Viewer.system())]
            reflection = next(s for s in found if s["object"]["id"].endswith("reflexion"))
            assert reflection["verb"]["id"].endswith("/answered")
            assert (text in json.dumps(found, ensure_ascii=False)) is sent
            assert ("response" in reflection.get("result", {})) is sent
        quiz_answers = [s for s in found if s.get("result", {}).get("success") is not None]
        assert quiz_answers  # answers with a right answer keep their response either way


def test_by_default_no_reflection_text_reaches_a_real_lrs(lrs, db_path, capsys):
    _, text = reflection_world(db_path)
    assert main(["export", "xapi", "--db", str(db_path), "--to", lrs, *LRS_AUTH]) == 0
    assert text not in json.dumps(lrs.kept(), ensure_ascii=False)


def test_erasing_a_person_voids_the_statements_an_lrs_already_holds(lrs, db_path, capsys):
    identifier, text = reflection_world(db_path)
    export = ["export", "xapi", "--db", str(db_path), "--to", lrs, *LRS_AUTH]
    assert main([*export, "--free-text"]) == 0
    with open_db(db_path) as database:
        alice = accounts.person_by_identifier(database, identifier).id
        hers = [
            row[0]
            for row in database.execute(
                "SELECT uuid FROM events WHERE person_id = :person_id", {"person_id": alice}
            )
        ]
    assert text in json.dumps(lrs.kept(), ensure_ascii=False)
    capsys.readouterr()
    erase = ["privacy", "erase", identifier, "--confirm", identifier, "--db", str(db_path)]
    assert main(erase) == 0
    assert f"{len(hers)} déclaration(s) xAPI déjà envoyée(s)" in capsys.readouterr().out
    lrs.make_room()
    assert main(export) == 0
    assert f"{len(hers)} déclaration(s) de personnes effacées annulée(s)" in capsys.readouterr().out
    voids = [s for s in lrs.kept() if s["verb"]["id"] == xapi.VOIDED]
    assert sorted(v["object"]["id"] for v in voids) == sorted(hers)
    assert {v["object"]["objectType"] for v in voids} == {"StatementRef"}
    with open_db(db_path) as database:
        assert sender.pending_voids(database, lrs) == []  # accepted, so forgotten
    lrs.make_room()
    assert main(export) == 0  # nothing is voided twice
    assert "annulée" not in capsys.readouterr().out


def test_erasure_queues_no_void_for_what_no_lrs_received(db_path, capsys):
    erase = ["privacy", "erase", "alice", "--confirm", "alice", "--db", str(db_path)]
    assert main(erase) == 0
    assert "xAPI" not in capsys.readouterr().out
    with open_db(db_path) as database:
        assert database.execute("SELECT COUNT(*) FROM xapi_voids").fetchone()[0] == 0
