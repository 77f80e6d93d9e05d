"""``judge similarity`` end to end: the gradebook's latest submissions and a past term in, pairs in
the gradebook and an HTML report out; the report in Chromium shows student text as text."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from grader.cli import cli
from grader.core.values import Grade, Verdict
from grader.course.gradebook import Gradebook, LatePolicy, default_url
from grader.course.schema import SubmissionFile
from grader.similarity.store import latest_submissions, stored_pairs

from . import labelled

EXERCISE = "recommender-svd"
REFERENCE = labelled.REPO / "solutions" / EXERCISE / "solution.py"
INDEPENDENT = labelled.CORPUS / EXERCISE / "gram_eigh.py"
STUB = labelled.REPO / "assignments" / EXERCISE / "stub.py"
#: What a copier might leave in the code: markup, a script, a direction override, a terminal escape.
HOSTILE = '# </pre><script>alert("copied")</script><b id="injected">bold</b>\nBANNER = "\u202eevil\x1b[2J"\n'
CHROMIUM = "/usr/bin/chromium"


def _hand_in(gradebook: Gradebook, student: str, text: str, folder: Path) -> None:
    source = folder / f"{student}.py"
    source.write_text(text, encoding="utf-8")
    import hashlib

    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    number = gradebook.add_submission(exercise=EXERCISE, student=student, sha256=sha,
                                      submitted_at=dt.datetime.now(dt.UTC), source=source)
    gradebook.record(number, "checks", Grade(EXERCISE, sha, "ok", Verdict.PASSED, 1.0, 1.0, ()), LatePolicy())


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A graded class: alice (the reference), bob (alice's, disguised, with hostile text), carol (an
    independent solution), dave (the stub); and a past term where erin handed in carol's code."""
    course = tmp_path / "course"
    handed = tmp_path / "handed"
    handed.mkdir()
    gradebook = Gradebook(default_url(course), course / "files")
    keep = labelled._stub_names(STUB.read_text())
    disguised = labelled.add_comments(labelled.rename_identifiers(REFERENCE.read_text(), keep), 3)
    for student, text in [("alice", REFERENCE.read_text()), ("bob", HOSTILE + disguised),
                          ("carol", INDEPENDENT.read_text()), ("dave", STUB.read_text())]:
        _hand_in(gradebook, student, text, handed)
    gradebook.close()
    (tmp_path / "past" / "2025" / "erin").mkdir(parents=True)
    shutil.copy(INDEPENDENT, tmp_path / "past" / "2025" / "erin" / "solution.py")
    return course


def _run(course: Path, *extra: str) -> Any:
    return CliRunner().invoke(cli, ["similarity", EXERCISE, "--course", str(course), *extra],
                              catch_exceptions=False)


def test_pairs_are_ranked_stored_and_reported(course: Path, tmp_path: Path) -> None:
    report = tmp_path / "report"
    result = _run(course, "--past", str(tmp_path / "past" / "2025"), "-o", str(report))
    assert result.exit_code == 0, result.output
    assert "2 pairs flagged among 5 files" in result.output
    gradebook = Gradebook(default_url(course), course / "files")
    try:
        rows = stored_pairs(gradebook, EXERCISE)
    finally:
        gradebook.close()
    assert {(r.student_a, r.student_b) for r in rows} == {("alice", "bob"), ("carol", "2025/erin")}
    by_pair = {(r.student_a, r.student_b): r for r in rows}
    assert by_pair["alice", "bob"].submission_a_id and by_pair["alice", "bob"].submission_b_id
    assert by_pair["carol", "2025/erin"].submission_b_id is None
    assert all(r.score >= 0.9 for r in rows)
    index = (report / "index.html").read_text()
    assert "alice" in index and "2025/erin" in index and "dave" not in index
    assert len(list((report / "pairs").glob("*.html"))) == 2

    again = _run(course, "--threshold", "1.0")  # a new check replaces the stored pairs
    assert again.exit_code == 0, again.output
    gradebook = Gradebook(default_url(course), course / "files")
    try:
        assert {(r.student_a, r.student_b) for r in stored_pairs(gradebook, EXERCISE)} <= {("alice", "bob")}
    finally:
        gradebook.close()
    assert (course / "similarity" / EXERCISE / "index.html").is_file()


def test_a_file_kept_on_another_machine_is_read_from_the_gradebook(course: Path, tmp_path: Path) -> None:
    gradebook = Gradebook(default_url(course), course / "files")
    try:
        alice = next(s for s in latest_submissions(gradebook, EXERCISE) if s.student == "alice")
        data = alice.path.read_bytes()
        alice.path.unlink()  # the course server kept it elsewhere; its bytes are in the gradebook
        with Session(gradebook.engine) as session, session.begin():
            session.add(SubmissionFile(submission_id=alice.submission_id, data=data))
        again = next(s for s in latest_submissions(gradebook, EXERCISE) if s.student == "alice")
        assert again.path.read_bytes() == data
    finally:
        gradebook.close()
    result = _run(course, "-o", str(tmp_path / "report"))
    assert result.exit_code == 0 and "1 pair flagged among 4 files" in result.output, result.output


def test_an_exercise_without_results_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["similarity", "metrics", "--course", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no results" in result.output


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if shutil.which(CHROMIUM) is None:
        pytest.skip("needs Debian's chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_the_report_shows_student_text_as_text_in_chromium(course: Path, tmp_path: Path, browser: Any) -> None:
    report = tmp_path / "report"
    assert _run(course, "-o", str(report)).exit_code == 0
    page = browser.new_page()
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    try:
        page.goto((report / "index.html").as_uri())
        page.click("text=side by side")
        assert page.title().endswith("pair 1")
        sides = page.locator("pre")
        assert sides.count() == 2
        bob = sides.nth(1).inner_text()
        assert '</pre><script>alert("copied")</script><b id="injected">bold</b>' in bob
        assert "\\u202eevil\\x1b[2J" in bob  # the override and the escape are shown, not obeyed
        assert page.locator("script").count() == 0 and page.locator("#injected").count() == 0
        marks_a, marks_b = page.locator("pre").nth(0).locator("mark"), page.locator("pre").nth(1).locator("mark")
        assert marks_a.count() == marks_b.count() > 0
        assert marks_a.first.locator("a").get_attribute("href") == "#b1"
    finally:
        page.close()
    assert not seen
