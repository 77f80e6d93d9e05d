"""Exports and reports, opened and checked: the CSVs parsed, every results.json validated against
Gradescope's schema, JSON lines parsed, the feedback pages and class report loaded in headless
Chromium without console errors. Also: visibility, escaping and the late policy in the feedback."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.course.inbox import submit
from tests.batch.helpers import SANDBOX, SOURCES, chromium, load_in_chromium
from tests.conftest import REPO

DUE = dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC)
HIDDEN_NAMES = ("test_reconstruct_optimal_error", "test_reconstruct_extreme_k", "test_predictor_heldout_rmse")
XSS = "<script>console.error('xss')</script><img src=x onerror=\"console.error('xss-img')\">"
KINDS = {"alice": "reference", "bob": "wrong", "carol": "global-mean-centred", "dave": "syntax-error",
         "erin": "zeros-for-missing", "mallory": "xss", "late-larry": "reference"}


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(home, course): an exercise with a due date and a 10%/day penalty, and a graded inbox."""
    root = tmp_path_factory.mktemp("exports")
    home = root / "home"
    shutil.copytree(REPO / "assignments" / "recommender-svd", home / "assignments" / "recommender-svd")
    toml = home / "assignments" / "recommender-svd" / "assignment.toml"
    toml.write_text(toml.read_text().replace(
        "[limits]", "due = 2026-12-01T23:59:00+00:00\nlate_penalty_per_day = 0.1\n\n[limits]", 1))
    course = root / "course"
    files = root / "files"
    files.mkdir()
    for student, kind in KINDS.items():
        source = files / f"{student}.py"
        text = SOURCES["reference"].read_text() if kind == "xss" else SOURCES[kind].read_text()
        if kind == "xss":
            text += f"\nprint({XSS!r})\n"
        source.write_text(text)
        when = DUE + dt.timedelta(days=1, hours=2) if student == "late-larry" else DUE - dt.timedelta(hours=1)
        submit(course=course, exercise="recommender-svd", student=student, file=source, stored_name="solution.py",
               now=when)
    _invoke("grade", "recommender-svd", "--inbox", "--course", str(course), "--home", str(home),
            "--sandbox", SANDBOX, "--workers", "2")
    return home, course


def test_csv_one_row_per_student_one_column_per_check(course: tuple[Path, Path], tmp_path: Path) -> None:
    home, root = course
    out = tmp_path / "grades.csv"
    _invoke("export", "recommender-svd", "--format", "csv", "-o", str(out), "--course", str(root), "--home", str(home))
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    assert sorted(r["student"] for r in rows) == sorted(KINDS)
    by = {r["student"]: r for r in rows}
    for name in HIDDEN_NAMES:
        assert name in rows[0]
    assert float(by["alice"]["total"]) == 10.0
    assert float(by["late-larry"]["raw_score"]) == 10.0 and by["late-larry"]["late_days"] == "2"
    assert float(by["late-larry"]["total"]) == pytest.approx(8.0)
    assert by["dave"]["verdict"] == "syntax_error" and float(by["dave"]["total"]) == 0
    for r in rows:
        checks = [float(r[c]) for c in r if c.startswith("test_") and r[c] != ""]
        assert sum(checks) == pytest.approx(float(r["raw_score"]))


def _validate_results_json(data: Any) -> None:
    """Gradescope's results.json (the fields we write), strictly."""
    visibilities = {"visible", "hidden", "after_due_date", "after_published"}
    assert isinstance(data, dict)
    for key, kind in (("score", (int, float)), ("max_score", (int, float)), ("execution_time", (int, float)),
                      ("output", str), ("visibility", str), ("stdout_visibility", str), ("tests", list),
                      ("extra_data", dict), ("output_format", str)):
        assert isinstance(data[key], kind) and not isinstance(data[key], bool), key
    assert data["visibility"] in visibilities and data["stdout_visibility"] in visibilities
    assert data["output_format"] in {"text", "html", "simple_format", "md", "ansi"}
    assert 0 <= data["score"] <= data["max_score"]
    for test in data["tests"]:
        assert set(test) <= {"score", "max_score", "status", "name", "name_format", "number", "output",
                             "output_format", "tags", "visibility", "extra_data"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] in visibilities
        assert isinstance(test["tags"], list) and all(isinstance(t, str) for t in test["tags"])


def test_gradescope_results_json_per_submission(course: tuple[Path, Path], tmp_path: Path) -> None:
    home, root = course
    out = tmp_path / "gradescope"
    _invoke("export", "recommender-svd", "--format", "gradescope", "-o", str(out), "--course", str(root),
            "--home", str(home))
    files = sorted(out.glob("*/results.json"))
    assert [f.parent.name for f in files] == sorted(KINDS)
    for file in files:
        data = json.loads(file.read_text())
        _validate_results_json(data)
        assert data["extra_data"]["student"] == file.parent.name
    larry = json.loads((out / "late-larry" / "results.json").read_text())
    assert larry["score"] == pytest.approx(8.0) and "Late by 2 day(s)" in larry["output"]


def test_canvas_csv_and_json_lines(course: tuple[Path, Path], tmp_path: Path) -> None:
    home, root = course
    canvas = tmp_path / "canvas.csv"
    _invoke("export", "recommender-svd", "--format", "canvas", "-o", str(canvas), "--course", str(root),
            "--home", str(home))
    rows = list(csv.reader(canvas.open(newline="", encoding="utf-8")))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5] == "Recommender by truncated SVD (recommender-svd)"
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 10
    assert sorted(r[0] for r in rows[2:]) == sorted(KINDS)
    jsonl = tmp_path / "grades.jsonl"
    _invoke("export", "recommender-svd", "--format", "jsonl", "-o", str(jsonl), "--course", str(root),
            "--home", str(home))
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert sorted(line["student"] for line in lines) == sorted(KINDS)
    assert all({"score", "max_score", "verdict", "grade", "submitted_at"} <= set(line) for line in lines)


def _report(course: tuple[Path, Path], out: Path, *extra: str) -> Path:
    home, root = course
    _invoke("report", "recommender-svd", "-o", str(out), "--course", str(root), "--home", str(home), *extra)
    return out


def test_feedback_shows_only_what_visibility_allows_and_escapes_output(course: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    hidden_source = (REPO / "assignments" / "recommender-svd" / "checks" / "hidden" / "test_hidden.py").read_text()
    code_lines = [ln.strip() for ln in hidden_source.splitlines() if ln.strip().startswith(("def ", "assert "))]
    before = _report(course, tmp_path / "before")
    after = _report(course, tmp_path / "after", "--published")
    for student in KINDS:
        for kind in ("html", "md"):
            names = [n.replace("_", "\\_") if kind == "md" else n for n in HIDDEN_NAMES]
            page = (before / "students" / f"{student}.{kind}").read_text()
            assert not any(name in page for name in names), (student, kind)
            assert "will be shown" in page
            published = (after / "students" / f"{student}.{kind}").read_text()
            assert all(name in published for name in names), (student, kind)
            for text in (page, published):
                assert not any(line in text for line in code_lines if len(line) > 12), (student, kind)
    mallory = (after / "students" / "mallory.html").read_text()
    assert "<script>console.error" not in mallory and "&lt;script&gt;console.error" in mallory
    larry = (after / "students" / "late-larry.html").read_text()
    assert "Late by 2 day(s)" in larry and "20%" in larry and "8 / 10" in larry
    md = (after / "students" / "late-larry.md").read_text()
    assert "Late by 2 day(s)" in md


@pytest.mark.skipif(chromium() is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_html_pages_load_in_headless_chromium_without_console_errors(course: tuple[Path, Path],
                                                                    tmp_path: Path) -> None:
    out = _report(course, tmp_path / "report", "--published")
    dom, console = load_in_chromium(out / "index.html", tmp_path)
    assert not console, console
    assert 'data-loaded="yes"' in dom and 'data-broken-images="0"' in dom
    assert dom.count("data:image/png;base64,") == 4
    for student in ("mallory", "late-larry", "dave"):
        dom, console = load_in_chromium(out / "students" / f"{student}.html", tmp_path)
        assert not console, (student, console)
        assert 'data-loaded="yes"' in dom


def test_the_probe_catches_console_errors(tmp_path: Path) -> None:
    if chromium() is None:
        pytest.skip("headless Chromium is not installed")
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><body><script>console.error('boom')</script></body></html>")
    _, console = load_in_chromium(page, tmp_path)
    assert any("boom" in line for line in console)
