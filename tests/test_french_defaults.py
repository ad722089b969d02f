"""Streamlit's own English in French (app_pages/french.py, issue 13 item 26).

The browser scan (tests/e2e/test_no_english.py) shows what a person reads; these tests
check, without a browser, that every page carries the script, that its English is still
the English Streamlit ships (an upgrade that rewords a text fails here, not on screen),
and that the charts describe themselves in French.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import streamlit
from pages import APP, chart_specs, logged_in, make_person, no_exception, open_as
from streamlit.elements import exception
from streamlit.testing.v1 import AppTest

from app_pages import french

BUNDLE = Path(streamlit.__file__).parent / "static" / "static" / "js"
# Streamlit builds these from parts: « Press Enter to ${e} », « ${t}. Running the app's... »
BUILT = {
    "Press Enter to submit form": ["Press Enter to ", "`submit form`"],
    "Press Enter to apply": ["Press Enter to ", "`apply`"],
    "The page that you have requested does not seem to exist. Running the app's main page.": [
        "The page that you have requested does not seem to exist",
        ". Running the app's main page.",
    ],
}


def shipped_strings() -> str:
    """The frontend's texts, and the one message the server writes for it (an error's)."""
    bundle = "\n".join(path.read_text(errors="replace") for path in BUNDLE.glob("*.js"))
    return bundle + "\n" + exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT


def carries_the_script(at: AppTest) -> bool:
    return any("__proxiFrench" in element.proto.body for element in at.get("html"))


def test_every_english_text_replaced_is_one_streamlit_ships():
    shipped = shipped_strings()
    missing = [
        english
        for english in french.EXACT
        if not all(part in shipped for part in BUILT.get(english, [english]))
    ]
    assert missing == []


def test_every_pattern_matches_what_streamlit_writes():
    written = {
        r"^(\d+(?:\.\d+)?)\s?([KMG])B per file$": "2MB per file",
        r"^File must be (\d+(?:\.\d+)?)\s?([KMG])B or smaller\.$": "File must be 2.0MB or smaller.",
        r"^(.+) files are not allowed\.$": "text/plain files are not allowed.",
        r"^Press (⌘|Ctrl)\+Enter to apply$": "Press Ctrl+Enter to apply",
        r"^Press (⌘|Ctrl)\+Enter to submit form$": "Press ⌘+Enter to submit form",
        r"^Remove (.+)$": "Remove Apprenant",
        r"^Help for (.+)$": "Help for Importer un fichier",
    }
    for pattern, _french in french.PATTERNS:
        if pattern in written:
            assert re.match(pattern, written[pattern]), pattern
    # JavaScript reads "$1"; Python's re reads the same groups: the French is whole.
    size, _ = french.PATTERNS[0]
    assert re.sub(size, r"\1 \2o par fichier", "2MB per file") == "2 Mo par fichier"


def test_the_french_is_french():
    for english, in_french in french.EXACT.items():
        assert in_french and (in_french != english or english == "Format"), english
    assert "<" not in french.SCRIPT.split("<script>", 1)[1].split("</script>")[0]


def test_the_script_is_on_every_page_logged_out_and_logged_in(tmp_path, monkeypatch):
    from pages import use_temporary_world

    db_path = use_temporary_world(tmp_path, monkeypatch)
    logged_out = AppTest.from_file(APP, default_timeout=30).run()
    no_exception(logged_out)
    assert carries_the_script(logged_out)
    at = logged_in(db_path, make_person(db_path, "alice"), "app_pages/my_progress.py")
    no_exception(at)
    assert carries_the_script(at)


def test_the_dashboard_chart_describes_its_axes_legend_and_bars_in_french(landlords):
    at = open_as(landlords, "coord", "app_pages/dashboard.py")
    no_exception(at)
    (spec,) = chart_specs(at)
    text = json.dumps(spec, ensure_ascii=False)
    assert "streamlit-generated" not in text
    assert spec["description"].startswith("Graphique en barres")
    bars = spec["layer"][0]
    encoding = bars["encoding"]
    assert (
        encoding["x"]["axis"]["description"] == "Axe horizontal : % des personnes qui ont terminé"
    )
    assert encoding["y"]["axis"]["description"] == "Axe vertical : Organisation"
    assert encoding["color"]["legend"]["description"].startswith("Légende : ")
    assert encoding["description"]["field"] == "said"
    assert all(layer["mark"].get("aria") is False for layer in spec["layer"][1:])


def test_an_unexpected_error_shows_no_detail_and_no_english_link():
    """What Streamlit writes on an error the pages did not expect: its fixed message (in
    EXACT above), no traceback, no « Ask Google » or « Ask ChatGPT » links."""
    client = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())["client"]
    assert client["showErrorDetails"] == "none"
    assert client["showErrorLinks"] is False
    assert exception._GENERIC_UNCAUGHT_EXCEPTION_TEXT in french.EXACT
