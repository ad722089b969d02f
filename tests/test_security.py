"""Security: who sees which page, passwords, the session cookie, logout, and code hygiene.

The role x page matrix runs every file of app_pages/ for every role and for nobody, twice:
through the navigation (`switch_page` must fail for a page the role's navigation lacks), and
directly as a file with the session token in session state — as a crafted URL or a stale
link would reach it. Only the roles in PAGES see content; the others get the French refusal
and nothing else. A file that is not a page (a helper module) must render nothing at all.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from builders import count
from pages import APP, PASSWORD, make_person, session_token, use_temporary_world
from streamlit.testing.v1 import AppTest

from proxi.content.scenario import load_scenario
from proxi.errors import AuthError
from proxi.live import room as live_room
from proxi.live.sessions import JoinRefused
from proxi.ops import privacy
from proxi.people import accounts, passwords, permissions
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db
from proxi.web import auth as web_auth

ROOT = Path(__file__).parent.parent
PAGE_DIR = ROOT / "app_pages"
ROLES = ("learner", "trainer", "manager", "coordinator")
EVERYONE = (None, *ROLES)
LEARNING = ("home.py", "module.py", "scenario.py", "my_progress.py")
# Who may see each page. None is nobody (not logged in); a public page is for everyone.
PAGES: dict[str, tuple] = {
    "login.py": EVERYONE,
    "join.py": EVERYONE,
    "privacy.py": EVERYONE,
    "verify.py": EVERYONE,
    "invitation.py": EVERYONE,
    "account.py": ROLES,
    **{page: ROLES for page in LEARNING},
    # The guarded pages: open to the roles that proxi.people.permissions gives their act.
    **{page: permissions.roles_for(act) for page, act in permissions.PAGES.items()},
}
# The navigation each role gets: a logged-in person does not see the login page.
NAVIGATION = {
    None: {"login.py", "join.py", "privacy.py", "verify.py", "invitation.py"},
    **{
        role: {p for p, allowed in PAGES.items() if role in allowed and p != "login.py"}
        for role in ROLES
    },
}
NOT_LOGGED_IN = "Connectez-vous pour accéder à cette page."
WRONG_ROLE = "Cette page n'est pas accessible avec votre rôle."
CONTAINERS = {"SpecialBlock", "Block", "Column", "Tab", "Expander", "Form", "Dialog"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        folder = tmp_path_factory.mktemp("security")
        db_path = use_temporary_world(folder, monkeypatch)
        people = {None: None}
        for role in ROLES:
            people[role] = make_person(db_path, f"test.{role}", roles=(role,))
        yield db_path, people


def app_files() -> list[str]:
    return sorted(p.name for p in PAGE_DIR.glob("*.py") if p.name != "__init__.py")


def shown(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) of everything rendered, main area and sidebar, but containers."""
    found = []
    for root in (at.main, at.sidebar):
        for element in root:
            kind = type(element).__name__
            if kind in CONTAINERS:
                continue
            if kind == "UnknownElement" and _is_style(element):
                continue  # a stylesheet (st.html("<style>...")) shows nothing
            found.append((kind, _text(element)))
    return found


def _text(element) -> str:
    for name in ("value", "label"):
        value = getattr(element, name, None)
        if isinstance(value, str) and value:
            return value
    return ""


def _is_style(element) -> bool:
    proto = getattr(element, "proto", None)
    body = getattr(proto, "body", "") if proto is not None else ""
    return element.type == "html" and body.strip().startswith("<style")


def run_directly(db_path, person, page: str) -> AppTest:
    at = AppTest.from_file(str(PAGE_DIR / page), default_timeout=60)
    if person is not None:
        at.session_state["session_token"] = session_token(db_path, person)
    return at.run()


def test_every_page_file_is_in_the_matrix():
    helpers = {name for name in app_files() if name not in PAGES}
    # Every file not listed is run below as a helper: it must render nothing on its own.
    assert set(PAGES) <= set(app_files()), "a page in the matrix no longer exists"
    assert {"connection.py", "identity.py", "learner.py", "shell.py"} <= helpers


@pytest.mark.parametrize("role", EVERYONE, ids=lambda r: r or "personne")
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_run_directly_shows_content_only_to_its_roles(world, page, role):
    db_path, people = world
    at = run_directly(db_path, people[role], page)
    assert [e.value for e in at.exception] == []
    things = shown(at)
    if role in PAGES[page]:
        assert things, f"{page} shows nothing to {role}"
        assert not [t for t in things if t[1] in (NOT_LOGGED_IN, WRONG_ROLE)]
    else:
        refusal = NOT_LOGGED_IN if role is None else WRONG_ROLE
        assert things == [("Warning" if role is None else "Error", refusal)]


@pytest.mark.parametrize("helper", [n for n in app_files() if n not in PAGES])
def test_a_helper_file_run_as_a_page_renders_nothing(world, helper):
    db_path, people = world
    at = run_directly(db_path, people["coordinator"], helper)
    assert [e.value for e in at.exception] == []
    assert shown(at) == []


@pytest.mark.parametrize("role", EVERYONE, ids=lambda r: r or "personne")
def test_navigation_offers_exactly_the_pages_of_the_role(world, role):
    db_path, people = world
    at = AppTest.from_file(APP, default_timeout=60)
    if role is not None:
        at.session_state["session_token"] = session_token(db_path, people[role])
    at.run()
    for page in sorted(PAGES):
        if page in NAVIGATION[role]:
            at.switch_page(f"app_pages/{page}").run()
            assert [e.value for e in at.exception] == [], page
            texts = [t for _, t in shown(at)]
            assert NOT_LOGGED_IN not in texts and WRONG_ROLE not in texts, page
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"app_pages/{page}")


# --- Sessions: logout and deactivation act at once, in every tab --------------------------------


def two_tabs(db_path, person) -> tuple[AppTest, AppTest]:
    tabs = []
    for _ in range(2):
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["session_token"] = session_token(db_path, person)
        tabs.append(at.run())
    assert [at.title[0].value for at in tabs] == [f"Bonjour {person.display_name}"] * 2
    return tabs[0], tabs[1]


def test_logout_in_one_tab_logs_out_every_tab_at_once(world):
    db_path, _ = world
    person = make_person(db_path, "deux.onglets")
    first, second = two_tabs(db_path, person)
    first.sidebar.button(key="logout").click().run()
    assert first.title[0].value == "Proxi"
    second.run()  # its next click, refresh or rerun
    assert second.title[0].value == "Proxi" and "session_token" not in second.session_state


def test_a_run_checks_the_session_once_and_the_next_run_again(world, monkeypatch):
    """The menu and the page's require() share one lookup per run; every run still asks."""
    db_path, _ = world
    person = make_person(db_path, "une.fois")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["session_token"] = session_token(db_path, person)
    lookups = []
    real = accounts.person_for_session

    def counted(*args, **kwargs):
        lookups.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts, "person_for_session", counted)
    at.run()
    at.switch_page("app_pages/my_progress.py").run()  # a page that calls require() itself
    assert at.title[0].value == "Ma progression" and len(lookups) == 2
    with open_db(db_path) as db:
        accounts.set_active(db, OPERATOR, person.id, False)
    assert at.run().title[0].value == "Proxi" and len(lookups) == 3


def test_deactivation_logs_out_every_tab_and_every_crafted_url(world):
    db_path, _ = world
    person = make_person(db_path, "desactive.bientot")
    first, second = two_tabs(db_path, person)
    token = session_token(db_path, person)
    with open_db(db_path) as db:
        accounts.set_active(db, OPERATOR, person.id, False)
    for tab in (first.run(), second.run()):
        assert tab.title[0].value == "Proxi"
    at = AppTest.from_file(str(PAGE_DIR / "my_progress.py"), default_timeout=60)
    at.session_state["session_token"] = token
    assert shown(at.run()) == [("Warning", NOT_LOGGED_IN)]


# --- Passwords and the cookie --------------------------------------------------------------------


@pytest.mark.real_password_cost
def test_passwords_are_stored_as_salted_scrypt_never_in_clear(world):
    db_path, people = world
    with open_db(db_path) as db:
        stored = db.execute(
            "SELECT password_hash FROM people WHERE id = :person_id",
            {"person_id": people["learner"].id},
        ).fetchone()[0]
    assert stored.startswith("scrypt$16384$8$1$") and PASSWORD not in stored
    assert passwords.verify_password(PASSWORD, stored)


def test_short_passwords_are_refused_with_a_french_message(db):
    with pytest.raises(passwords.WeakPassword, match="au moins 10 caractères"):
        accounts.create_person(db, OPERATOR, "court", "Court", "123456789")
    person = accounts.create_person(db, OPERATOR, "long", "Long", "0123456789")
    with pytest.raises(passwords.WeakPassword, match="au moins 10 caractères"):
        accounts.set_password(db, OPERATOR, person.id, "abc")


def test_session_cookie_is_signed_httponly_and_samesite(world, asgi_get):
    db_path, people = world
    secret = b"k" * 64
    routes = web_auth.auth_routes(db_path, secret)
    for scheme in ("http", "https"):
        with open_db(db_path) as db:
            ticket = accounts.issue_login_ticket(db, people["learner"].id)
        status, headers, _ = asgi_get(
            routes, web_auth.COMPLETE_PATH, f"ticket={ticket}", scheme=scheme
        )
        cookies = [value for name, value in headers if name == "set-cookie"]
        assert status == 303 and len(cookies) == 1
        attributes = cookies[0].lower()
        assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
        assert ("secure" in attributes) == (scheme == "https")
    value = cookies[0].split("=", 1)[1].split(";", 1)[0]
    token = web_auth.session_token_from_cookie(value, secret)
    with open_db(db_path) as db:
        assert accounts.person_for_session(db, token).id == people["learner"].id
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert web_auth.session_token_from_cookie(forged, secret) is None
    assert web_auth.session_token_from_cookie(value, b"x" * 64) is None  # another server's key
    assert web_auth.session_token_from_cookie(token, secret) is None  # an unsigned token


# --- Injection --------------------------------------------------------------------------------------

PAYLOAD = "x' OR '1'='1'; DROP TABLE people; --"


def test_sql_payloads_in_user_fields_are_only_data(db, learner):
    with pytest.raises(AuthError, match="Identifiant ou mot de passe incorrect"):
        accounts.authenticate(db, PAYLOAD, PAYLOAD)
    with pytest.raises(JoinRefused):
        live_room.join(db, PAYLOAD, guest_name=PAYLOAD, device=PAYLOAD)
    assert accounts.person_by_identifier(db, PAYLOAD) is None
    assert privacy.kept_attestations(db, PAYLOAD) == []
    assert count(db, "people") == 1


def test_yaml_python_tags_are_refused_not_run(tmp_path):
    marker = tmp_path / "pwned"
    evil = f'!!python/object/apply:os.system ["touch {marker}"]\n'
    scenario, findings = load_scenario(tmp_path / "evil.yaml", evil)
    assert scenario is None and findings and not marker.exists()


def code_files() -> list[Path]:
    return [*(ROOT / "proxi").rglob("*.py"), *PAGE_DIR.glob("*.py"), ROOT / "app.py"]


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def dotted(node) -> str:
    return ast.unparse(node)


UNSAFE_YAML = {"Loader", "UnsafeLoader", "FullLoader", "CLoader", "CFullLoader", "CUnsafeLoader"}
UNSAFE_YAML_CALLS = {"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"}  # fmt: skip


def test_yaml_is_only_read_with_the_safe_loader():
    offenders = []
    for path in code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and dotted(node.value) == "yaml"):
                continue
            unsafe_call = node.attr in UNSAFE_YAML_CALLS and not _safe_loader_call(tree, node)
            if node.attr in UNSAFE_YAML or unsafe_call:
                offenders.append(f"{path.name}:{node.lineno}: yaml.{node.attr}")
    assert offenders == []


def _safe_loader_call(tree, attribute) -> bool:
    """yaml.load(..., Loader=yaml.SafeLoader or CSafeLoader) is the one safe form of load."""
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and call.func is attribute:
            loader = {k.arg: dotted(k.value) for k in call.keywords}.get("Loader", "")
            return attribute.attr in ("load", "load_all") and "SafeLoader" in loader
    return False


def test_no_eval_exec_pickle_or_shell_in_the_code():
    offenders = []
    for path in code_files():
        text = path.read_text(encoding="utf-8")
        for call in calls(path):
            name = dotted(call.func)
            shell = any(k.arg == "shell" and dotted(k.value) == "True" for k in call.keywords)
            if name in ("eval", "exec", "compile", "os.system", "os.popen", "__import__") or shell:
                offenders.append(f"{path.name}:{call.lineno}: {name}")
        if re.search(r"^\s*(import|from)\s+(pickle|marshal|shelve)\b", text, re.M):
            offenders.append(f"{path.name}: imports pickle/marshal/shelve")
    assert offenders == []


# SQL text is assembled only from constants and from variables whose names say they hold SQL
# (a WHERE clause, placeholders, column or table names from the schema); values are always
# parameters. An f-string that interpolates anything else fails this test: use a :name parameter.
SQL_FRAGMENTS = re.compile(
    r"^(_?[A-Z][A-Z0-9_]*|\w*_sql|where|tail|placeholders|marks|assignments|stamp|guests"
    r"|columns|names|table|column|previous|c|_)$"
)
SQL_METHODS = {"execute", "executemany", "executescript", "rows_where", "query"}


def interpolated_names(expression) -> set[str]:
    """The variables an interpolated expression reads (`a.B` counts as `B`; calls as their
    arguments; names bound by a comprehension inside it are not outside values)."""
    bound = {
        n.id for c in ast.walk(expression) if isinstance(c, ast.comprehension)
        for n in ast.walk(c.target) if isinstance(n, ast.Name)
    }  # fmt: skip
    found: set[str] = set()

    def visit(node) -> None:
        if isinstance(node, ast.Attribute):
            found.add(node.attr)  # the attribute names the value, not its module or object
            return
        if isinstance(node, ast.Call):
            for child in (*node.args, *(k.value for k in node.keywords)):
                visit(child)
            if isinstance(node.func, ast.Attribute):  # "', '.join(...)", "x.strip()"
                visit(node.func.value)
            return
        if isinstance(node, ast.Name) and node.id not in bound:
            found.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(expression)
    return found


def sql_interpolations(path: Path) -> list[tuple[int, str]]:
    found = []
    for call in calls(path):
        if not (isinstance(call.func, ast.Attribute) and call.func.attr in SQL_METHODS):
            continue
        for argument in call.args[:1]:
            for node in ast.walk(argument):
                if isinstance(node, ast.FormattedValue):
                    found += [(call.lineno, n) for n in interpolated_names(node.value)]
                elif isinstance(node, ast.Call) and dotted(node.func).endswith(".format"):
                    for keyword in node.keywords:
                        found += [(call.lineno, n) for n in interpolated_names(keyword.value)]
                elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
                    found.append((call.lineno, "% formatting"))
    return found


def test_sql_is_parameterised():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in code_files()
        for line, name in sql_interpolations(path)
        if not SQL_FRAGMENTS.match(name)
    ]
    assert offenders == []


def test_the_sql_check_catches_a_user_value(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "db.execute(f\"SELECT * FROM people WHERE name = '{name}'\")\n"
        'db.execute("SELECT * FROM people WHERE id = %s" % person_id)\n'
        'db.execute(f"SELECT {_COLUMNS} FROM people WHERE {where}", params)\n'
    )
    names = [name for _, name in sql_interpolations(sample) if not SQL_FRAGMENTS.match(name)]
    assert names == ["name", "% formatting"]


# --- Uploads and production configuration -----------------------------------------------------------


def test_uploads_are_limited_in_size_and_type():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert 0 < config["server"]["maxUploadSize"] <= 5  # megabytes
    uploaders = [
        (path.name, call)
        for path in PAGE_DIR.glob("*.py")
        for call in calls(path)
        if dotted(call.func).endswith("file_uploader")
    ]
    for name, call in uploaders:
        types = {k.arg: k.value for k in call.keywords}.get("type")
        assert isinstance(types, ast.List | ast.Tuple) and types.elts, f"{name}: no type list"


def test_production_configuration_hides_errors_and_keeps_xsrf_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["headless"] is True
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] in ("none", False)


def test_the_container_checks_its_health_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^HEALTHCHECK .*\n?.*/_stcore/health", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "PROXI_DB=" in dockerfile
