"""The leaderboard on the course server: pseudonyms and the reader's row on the public board, picks
(only one's own), no private score in any page or API answer before the reveal, and the private
board (which exposes a submission tuned to the public split) after it."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from grader.core.assignment import get_assignment
from grader.core.secret import course_secret
from grader.course.gradebook import Gradebook
from grader.course.leaderboard import entries
from grader.server import accounts
from grader.server.app import create_app
from grader.server.settings import ServerSettings
from tests.leaderboard.test_leaderboard import HOME as BOARD_HOME
from tests.leaderboard.test_leaderboard import HONEST, tuned_source
from tests.server.conftest import PASSWORD, bearer, csrf_of, grade_queued, signed_in

EXERCISE = "board-demo"


def _home(tmp: Path, reveal: str) -> Path:
    home = tmp / f"home-{reveal[:4]}"
    shutil.copytree(BOARD_HOME / "assignments" / EXERCISE, home / "assignments" / EXERCISE)
    toml = home / "assignments" / EXERCISE / "assignment.toml"
    toml.write_text(toml.read_text().replace("[leaderboard]\n", f"[leaderboard]\nreveal = {reveal}\n"))
    return home


def _app(tmp: Path, home: Path):  # type: ignore[no-untyped-def]
    course = tmp / "course"
    return create_app(ServerSettings(db_url=f"sqlite:///{course / 'gradebook.sqlite'}", course=course, home=home,
                                     secure_cookies=False, base_url="http://testserver"))


def test_the_board_before_and_after_the_reveal(tmp_path: Path) -> None:
    app = _app(tmp_path, _home(tmp_path, "2999-01-01T00:00:00+00:00"))
    book: Gradebook = app.state.course.gradebook
    for entry in accounts.import_roster(book.engine, "student_id,name,email\nalice,A,a@x\nbob,B,b@x\n"):
        assert entry.invitation is not None
        accounts.accept_invitation(book.engine, entry.invitation, PASSWORD)
    accounts.add_instructor(book.engine, "prof", PASSWORD)
    tokens = {p.login: accounts.issue_token(book.engine, p.id) for p in accounts.people(book.engine) if p.student}
    secret = course_secret(tmp_path / "course")
    api = TestClient(app)
    for student, source in (("alice", tuned_source(secret)), ("bob", HONEST)):
        sent = api.post(f"/api/v1/exercises/{EXERCISE}/submissions", headers=bearer(tokens[student]),
                        files={"file": ("solution.py", source.encode(), "text/x-python")})
        assert sent.status_code == 201, sent.text
    spec = get_assignment(EXERCISE, app.state.course.settings.home)
    assert grade_queued(book, spec, tmp_path / "course") == 2
    scores = {e.student: e for e in entries(book.engine, EXERCISE)}
    assert scores["alice"].public == 1.0 and scores["bob"].public is not None
    private_texts = {f"{e.private:.4g}" for e in scores.values()} - {f"{e.public:.4g}" for e in scores.values()}
    private_texts |= {repr(e.private) for e in scores.values()}

    alice = signed_in(app, "alice")
    page = alice.get(f"/exercises/{EXERCISE}/leaderboard")
    assert page.status_code == 200
    assert "(you)" in page.text and ">bob<" not in page.text  # pseudonyms for students
    assert not any(t in page.text for t in private_texts)
    board = api.get(f"/api/v1/exercises/{EXERCISE}/leaderboard", headers=bearer(tokens["alice"]))
    assert board.status_code == 200 and board.json()["private"] is None and not board.json()["revealed"]
    assert [row["you"] for row in board.json()["public"]] == [True, False]  # the tuned one leads
    assert not any(t in board.text for t in private_texts)
    for url in ("/", f"/exercises/{EXERCISE}", *(f"/submissions/{e.submission_id}" for e in scores.values()
                                                 if e.student == "alice")):
        assert not any(t in alice.get(url).text for t in private_texts), url
    status = api.get("/api/v1/status", headers=bearer(tokens["alice"]))
    assert not any(t in status.text for t in private_texts)

    # a pseudonym is shown as text; picks are one's own only
    csrf = csrf_of(page.text)
    named = alice.post(f"/exercises/{EXERCISE}/leaderboard/pseudonym", data={"pseudonym": "<b>Ace</b>", "csrf": csrf},
                       follow_redirects=False)
    assert named.status_code == 303
    board = api.get(f"/api/v1/exercises/{EXERCISE}/leaderboard", headers=bearer(tokens["bob"]))
    assert "<b>Ace</b>" in [row["name"] for row in board.json()["public"]]
    assert "&lt;b&gt;Ace&lt;/b&gt;" in signed_in(app, "bob").get(f"/exercises/{EXERCISE}/leaderboard").text
    refused = alice.post(f"/exercises/{EXERCISE}/leaderboard/picks",
                         data={"pick": str(scores["bob"].submission_id), "csrf": csrf})
    assert refused.status_code == 400 and "your own" in refused.text
    no_csrf = alice.post(f"/exercises/{EXERCISE}/leaderboard/picks", data={"pick": str(scores["alice"].submission_id)})
    assert no_csrf.status_code == 403
    # the instructor sees ids
    prof = signed_in(app, "prof").get(f"/exercises/{EXERCISE}/leaderboard")
    assert ">alice<" in prof.text and ">bob<" in prof.text and not any(t in prof.text for t in private_texts)

    # after the reveal: the private board, where the honest submission leads
    revealed = _app(tmp_path, _home(tmp_path, "2000-01-01T00:00:00+00:00"))
    board = TestClient(revealed).get(f"/api/v1/exercises/{EXERCISE}/leaderboard", headers=bearer(tokens["alice"]))
    body = board.json()
    assert body["revealed"] and [row["you"] for row in body["private"]] == [False, True]
    assert body["private"][0]["score"] == scores["bob"].private
    late = signed_in(revealed, "alice")
    text = late.get(f"/exercises/{EXERCISE}/leaderboard").text
    assert "Private board" in text and f"{scores['bob'].private:.4g}" in text
    assert "Save my picks" not in text  # picks are final once revealed
    final = late.post(f"/exercises/{EXERCISE}/leaderboard/picks",
                      data={"pick": str(scores["alice"].submission_id), "csrf": csrf_of(text)})
    assert final.status_code == 409 and "final" in final.text
