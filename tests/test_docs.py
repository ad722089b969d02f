"""The docs are tested: every finding code and CLI command the code has is documented."""

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def codes_in_code() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "proxi").rglob("*.py"))
    return set(re.findall(r"\b([PSM][0-9]{3})\b", text))


def test_every_finding_code_is_documented():
    documented = set(
        re.findall(
            r"^\| ([PSM][0-9]{3}) \|",
            (ROOT / "docs" / "codes-erreurs.md").read_text(encoding="utf-8"),
            re.M,
        )
    )
    assert codes_in_code() - documented == set()
    assert documented - codes_in_code() == set()


def test_every_cli_command_is_in_the_readme():
    from proxi.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in commands if f"python -m proxi {name}" not in readme]
    assert missing == []
