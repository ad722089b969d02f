"""A YAML file that cannot be read is explained in French, never in PyYAML's English."""

import re

import pytest

from proxi.content import yamlsource
from proxi.errors import ContentError

BROKEN = {
    "title: Un titre: avec deux points\n": "« : » inattendu",
    "nodes:\n  a: 1\n b: 2\n": None,
    "choices: [un, deux\n": "un crochet n'est pas fermé ?",
    "carte: {qui: moi\n": "une accolade n'est pas fermée ?",
    'texte: "pas fermé\n': "un guillemet n'est pas fermé ?",
    "liste:\n\t- un\n": "une tabulation : indentez avec des espaces",
    "a: 1\n- b\n": None,
    "- a\nb: 1\n": None,
    'x: "a" b\n': None,
}
ENGLISH = re.compile(r"\b(found|expected|while|scanning|parsing|mapping|allowed|key|stream)\b")


@pytest.mark.parametrize("text", BROKEN)
def test_a_syntax_error_is_told_in_french(text):
    with pytest.raises(ContentError) as raised:
        yamlsource.load(text, "casse.yaml")
    message = str(raised.value)
    assert "YAML illisible" in message and not ENGLISH.search(message), message
    if BROKEN[text]:
        assert BROKEN[text] in message
