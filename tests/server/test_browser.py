"""The course server in a real browser (Debian's chromium driven by Playwright) on a live uvicorn:
a student signs in from an invitation, uploads, watches the htmx status turn to graded and reads
the feedback; the instructor publishes and the hidden checks appear; hostile text runs no script."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from grader.core.assignment import AssignmentSpec
from grader.course.gradebook import Gradebook
from grader.server import accounts

from .conftest import PASSWORD, BackgroundGrader, LiveServer, bearer, grade_queued
from .test_web import HOSTILE

CHROMIUM = "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _watch(page: Any) -> list[str]:
    """Dialogs (alert, confirm…) the page opens, and console errors other than CSP reports."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: seen.append(f"error: {error}"))
    return seen


def _sign_in(page: Any, url: str, login: str) -> None:
    page.goto(f"{url}/signin")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_student_submits_watches_and_reads_feedback(live: LiveServer, browser: Any, gradebook: Gradebook,
                                                    metrics: AssignmentSpec, reference: bytes) -> None:
    engine = gradebook.engine
    invitation = accounts.import_roster(engine, "student_id,name,email\nalice,Alice A,\n")[0].invitation
    accounts.add_instructor(engine, "prof", PASSWORD)
    grader = BackgroundGrader(gradebook, metrics, gradebook.files_dir.parent)
    student = browser.new_context()
    page = student.new_page()
    seen = _watch(page)
    try:
        page.goto(f"{live.url}/invite/{invitation}")
        assert "Choose a password" in page.inner_text("h1")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=again]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live.url}/")
        page.click("text=Classification metrics from scratch")
        page.wait_for_url(f"{live.url}/exercises/metrics")
        assert "3 submission(s) left" in page.inner_text("p.quota")
        page.set_input_files("input[type=file]", files=[{"name": "solution.py", "mimeType": "text/x-python",
                                                         "buffer": reference}])
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(f"{live.url}/submissions/*")
        assert page.inner_text("#state") == "queued"
        assert page.get_attribute("#status", "hx-trigger") == "every 1s"
        page.evaluate("window.__samePage = true")
        grader.thread.start()  # only now: the page has to follow the grading by itself
        sync_api.expect(page.locator("#state")).to_have_text("graded", timeout=60_000)
        assert page.evaluate("window.__samePage") is True  # htmx swapped the fragment; no reload
        assert page.get_attribute("#status", "hx-trigger") is None  # polling stopped
        result = page.inner_text("#result")
        assert "Your total score will be shown when all results are published." in result
        assert "test_precision_recall_f1" in result and "test_accuracy_matches_sklearn" not in result
        assert "6 more check(s) will be shown" in result
        assert "2 submission(s) left" in page.inner_text("main")

        teacher = browser.new_context()
        prof = teacher.new_page()
        _sign_in(prof, live.url, "prof")
        prof.click("text=Classification metrics from scratch")
        prof.wait_for_url(f"{live.url}/instructor/exercises/metrics")
        assert "10.0 / 10.0" in prof.inner_text("main")
        prof.click("#publish")
        prof.wait_for_load_state()
        assert "Hidden results published" in prof.inner_text("main")
        teacher.close()

        page.reload()
        result = page.inner_text("#result")
        assert "test_accuracy_matches_sklearn" in result and "Score: 10.0 / 10.0" in result
        assert not seen, seen
    finally:
        grader.stop.set()
        if grader.thread.is_alive():
            grader.thread.join(60)
        student.close()
    assert not grader.errors


def test_hostile_text_runs_no_script(live: LiveServer, browser: Any, gradebook: Gradebook,
                                     metrics: AssignmentSpec, people: Any) -> None:
    with httpx.Client(base_url=live.url, headers=bearer(people.alice_token)) as api:
        for n, name in enumerate(("../../x.py", "<img src=x onerror=alert(1)>.py")):
            made = api.post("/api/v1/exercises/metrics/submissions",
                            files={"file": (name, HOSTILE + f"# {n}\n".encode())})
            assert made.status_code == 201, made.text
    assert grade_queued(gradebook, metrics, gradebook.files_dir.parent) == 2
    context = browser.new_context()
    page = context.new_page()
    seen = _watch(page)
    try:
        _sign_in(page, live.url, "alice")
        for submission, name in ((1, "../../x.py"), (2, "<img src=x onerror=alert(1)>.py")):
            page.goto(f"{live.url}/submissions/{submission}")
            sync_api.expect(page.locator("#state")).to_have_text("graded")
            assert page.inner_text("code.filename") == name
            output = page.inner_text("pre.output")
            assert "<script>window.__pwned = 1</script> & <b>bold</b>" in output
            assert '<img src=x onerror="window.__pwned=1"> <i>not italic</i>' in page.inner_text("table.checks")
            assert page.locator("main script, main img, main b, main i").count() == 0
            assert page.evaluate("typeof window.__pwned") == "undefined"
        page.goto(f"{live.url}/exercises/metrics")
        assert "<img src=x onerror=alert(1)>.py" in page.inner_text("table.history")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert not seen, seen
    finally:
        context.close()


def test_the_api_documentation_renders_offline(live: LiveServer, browser: Any) -> None:
    """/docs is Swagger UI served by the server itself (no CDN): every request stays on 127.0.0.1."""
    context = browser.new_context()
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(("http://127.0.0.1", "data:"))
            else elsewhere.append(request.url))
    errors = _watch(page)
    try:
        page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(
            ("http://127.0.0.1", "data:")) else route.continue_())
        page.goto(f"{live.url}/docs")
        page.get_by_text("/api/v1/exercises/{exercise}/submissions").first.wait_for(timeout=20_000)
        assert "mljudge course server" in page.content()
    finally:
        context.close()
    assert elsewhere == [] and errors == []
