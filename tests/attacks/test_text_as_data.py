"""Student text is data everywhere: what a submission prints or raises can neither break nor repaint
the terminal, the feedback pages or the files and databases that keep it.

Each hostile text is printed at import and raised from ``reconstruct``; ``judge check``, ``judge grade
FILE`` and, for a class, ``judge grade DIR`` and ``judge report`` must finish with the score, and show
every control sequence as a visible escape.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.core.text import printable
from tests.conftest import REPO

REFERENCE = REPO / "solutions" / "recommender-svd" / "solution.py"

#: name -> hostile text (families: rich markup, terminal control, invisible/bidi text, bad code points)
HOSTILE: dict[str, str] = {
    "markup-close": "[/bold] unbalanced [/] close tags [/red]",
    "markup-link": "[link=file:///etc/shadow]click[/link] [bold red on white]LOUD[/]",
    "emoji-codes": ":pile_of_poo: :thumbs_up: :x:",
    "ansi-clear-screen": "\x1b[2J\x1b[H\x1b[1;32mScore 10 / 10   verdict: passed\x1b[0m",
    "ansi-cursor-up": "line\x1b[1A\x1b[2K\x1b[1AScore 10 / 10",
    "osc-clipboard": "\x1b]52;c;cm0gLXJmIH4K\x07 and \x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "c1-csi": "\x9b2J\x9d0;title\x9c",
    "carriage-return": "wrong answer\rScore 10 / 10 (overwritten)",
    "backspaces": "0/10" + "\b" * 4 + "10/10",
    "bidi-override": "score \u202e01 / 0\u202c \u2066isolated\u2069 \u200bzero-width",
    "nul-and-bell": "nul\x00 bell\x07 vt\x0b ff\x0c del\x7f",
    "lone-surrogates": "high \ud800 low \udc80 pair-ish \udbff\udfff",
}
RAW = ("\x1b", "\x9b", "\x9d", "\r", "\b", "\u202e", "\x00", "\x07", "\ud800", "\udc80")


def _submission(folder: Path, name: str, text: str) -> Path:
    path = folder / name / "solution.py"
    path.parent.mkdir(parents=True)
    path.write_text(
        REFERENCE.read_text()
        + f"\n\nimport sys\n\nHOSTILE = {text!r}\nprint(HOSTILE)\nsys.stderr.write(HOSTILE + '\\n')\n\n\n"
        "def reconstruct(*args, **kwargs):\n    raise ValueError(HOSTILE)\n",
        encoding="utf-8",
    )
    return path


def _raw_controls(text: str) -> list[str]:
    return [repr(c) for c in RAW if c in text]


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_printable_escapes_every_control_and_keeps_the_rest() -> None:
    for text in HOSTILE.values():
        shown = printable(text)
        assert not _raw_controls(shown) and printable(shown) == shown
        shown.encode("utf-8")  # no lone surrogate is left
    assert printable("tab\tnewline\nünïcödé ✔ 😀") == "tab\tnewline\nünïcödé ✔ 😀"
    assert printable("windows\r\nline") == "windows\nline"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_and_grade_print_the_score_and_show_the_text_escaped(name: str, tmp_path: Path) -> None:
    path = _submission(tmp_path, name, HOSTILE[name])
    for command in ("check", "grade"):
        extra = ("--details",) if command == "grade" else ()
        code, out = _invoke(command, "recommender-svd", str(path), "--home", str(REPO), *extra)
        assert code == 1, (command, out)  # graded, not full marks: no crash, no judge error
        assert "Score " in out and "verdict: failed" in out, out
        assert not _raw_controls(out), (command, _raw_controls(out))
        assert "raised ValueError" in out
    code, out = _invoke("grade", "recommender-svd", str(path), "--home", str(REPO), "--json", "-")
    results = json.loads(out)
    assert code == 1 and results["score"] < results["max_score"]
    assert not _raw_controls(json.dumps(results, ensure_ascii=False))


def test_a_class_of_hostile_texts_is_graded_and_every_page_is_written(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    for name, text in HOSTILE.items():
        _submission(subs, name, text)
    odd = subs / os.fsdecode(b"st\xffudent")  # a folder name that is not UTF-8
    odd.mkdir()
    (odd / "solution.py").write_text(REFERENCE.read_text())
    course = tmp_path / "course"
    result = CliRunner().invoke(cli, ["grade", "recommender-svd", str(subs), "--course", str(course),
                                      "--home", str(REPO), "--workers", "2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not _raw_controls(result.output)
    report = tmp_path / "report"
    result = CliRunner().invoke(cli, ["report", "recommender-svd", "-o", str(report), "--course", str(course),
                                      "--home", str(REPO), "--published"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    pages = sorted((report / "students").glob("*.html"))
    assert len(pages) == len(HOSTILE) + (1 if any("udent" in p.name for p in pages) else 0)
    for page in [*pages, *(report / "students").glob("*.md"), report / "index.html"]:
        text = page.read_text(encoding="utf-8")
        assert not _raw_controls(text), (page.name, _raw_controls(text))
        assert "could not be made" not in text, page.name
    markup = (report / "students" / "markup-close.html").read_text()
    assert "[/bold] unbalanced" in markup
    clear = (report / "students" / "ansi-clear-screen.html").read_text()
    assert "\\x1b[2J" in clear


def test_captured_output_is_shown_as_a_terminal_would_show_it() -> None:
    from grader.core.text import rendered_output

    progress = "Epoch 1/2\r 1/32 [>....]\r32/32 [=====] - 0s\nEpoch 2/2\r32/32 [=====] - 0s\n"
    assert rendered_output(progress) == "32/32 [=====] - 0s\n32/32 [=====] - 0s\n"
    assert rendered_output("\x1b[1;32mgreen\x1b[0m 0/10\b\b\b\b10/10") == "green 10/10"
    assert rendered_output("clear\x1b[2J nul\x00") == "clear\\x1b[2J nul\\x00"  # the rest still escaped
