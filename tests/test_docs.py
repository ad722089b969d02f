"""The docs are tested: every finding code and CLI command the code has is documented, and
every command the docs show is one the command line accepts, options included."""

import contextlib
import io
import re
import shlex
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


def documented_commands(text: str) -> list[str]:
    """Every `python -m proxi ...` written in a code block or an inline code span."""
    found = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S):
        found += re.findall(r"python -m proxi\b[^\n`]*", block)
    outside = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.M | re.S)
    found += re.findall(r"`[^`]*?(python -m proxi\b[^`]*)`", outside)
    return found


def arguments(command: str) -> list[str] | None:
    """The arguments a documented command passes, placeholders (FILE, N...) given a value;
    None for the generic `python -m proxi COMMAND`."""
    line = re.split(r"\s(?:>|&&|\||#|;)", command.replace("\n", " "))[0]
    words = [w.strip("[]") for w in shlex.split(line)[3:]]
    if words[:1] == ["COMMAND"]:
        return None
    return ["1" if re.fullmatch(r"[A-Z][A-Z_]*", w) else w for w in words if w]


def refusal(args: list[str]) -> str | None:
    """What argparse says about these arguments, or None when it accepts them."""
    from proxi.cli import build_parser

    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            build_parser().parse_args(args)
    except SystemExit:
        return said.getvalue().strip().splitlines()[-1]
    return None


def test_every_documented_command_has_options_the_command_line_accepts():
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    refused = []
    for path in documents:
        for command in documented_commands(path.read_text(encoding="utf-8")):
            args = arguments(command)
            if args is not None and (error := refusal(args)):
                refused.append(f"{path.name}: {command.strip()} -> {error}")
    assert refused == []


def test_the_options_check_sees_a_missing_required_option():
    text = "Effacez avec `python -m proxi privacy erase IDENTIFIANT`.\n"
    [command] = documented_commands(text)
    assert "--confirm" in refusal(arguments(command))
    assert refusal(arguments("python -m proxi purge --days N")) is None
    assert "unrecognized" in refusal(arguments("python -m proxi purge --jours 3"))
