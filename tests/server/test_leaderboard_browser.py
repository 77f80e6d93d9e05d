"""The leaderboard page in a real browser (chromium driven by Playwright) on a live uvicorn: the
student's row is marked, a hostile pseudonym is shown as text and runs no script."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.core.assignment import get_assignment
from grader.course.gradebook import Gradebook
from grader.server import accounts
from grader.server.settings import ServerSettings
from tests.leaderboard.test_leaderboard import HOME as BOARD_HOME
from tests.leaderboard.test_leaderboard import HONEST

from .conftest import PASSWORD, LiveServer, bearer, grade_queued

CHROMIUM = "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium")
HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:  # the conftest's app and live server, on board-demo
    course = tmp_path / "course"
    return ServerSettings(db_url=f"sqlite:///{course / 'gradebook.sqlite'}", course=course, home=BOARD_HOME,
                          secure_cookies=False, base_url="http://testserver")


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_the_board_marks_the_reader_and_shows_a_hostile_pseudonym_as_text(live: LiveServer, browser: Any,
                                                                         gradebook: Gradebook) -> None:
    import httpx

    engine = gradebook.engine
    for entry in accounts.import_roster(engine, "student_id,name,email\nalice,A,\nbob,B,\n"):
        assert entry.invitation is not None
        accounts.accept_invitation(engine, entry.invitation, PASSWORD)
    tokens = {p.login: accounts.issue_token(engine, p.id) for p in accounts.people(engine) if p.student}
    for student, source in (("alice", HONEST), ("bob", HONEST.replace("> 0", "> 0.5"))):
        sent = httpx.post(f"{live.url}/api/v1/exercises/board-demo/submissions", headers=bearer(tokens[student]),
                          files={"file": ("solution.py", source.encode(), "text/x-python")})
        assert sent.status_code == 201, sent.text
    assert grade_queued(gradebook, get_assignment("board-demo", BOARD_HOME), gradebook.files_dir.parent) == 2
    page = browser.new_context().new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live.url}/signin")
    page.fill("input[name=login]", "bob")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live.url}/exercises/board-demo/leaderboard")
    page.fill("input[name=pseudonym]", HOSTILE_NAME)
    page.click("form[action$=pseudonym] button")
    page.wait_for_url("**/leaderboard")
    mine = page.locator("table.board tr.you")
    assert mine.count() == 1 and HOSTILE_NAME in mine.inner_text() and "(you)" in mine.inner_text()
    assert page.locator("table.board img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined" and dialogs == []
    rows = page.locator("table.board tbody tr")
    assert rows.count() == 2 and "alice" not in page.locator("table.board").inner_text()
