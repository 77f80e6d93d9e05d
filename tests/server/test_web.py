"""The course server's routes through FastAPI's TestClient: ownership, CSRF, uploads, quota, escaping."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grader.core.assignment import AssignmentSpec
from grader.course.gradebook import Gradebook
from grader.course.schema import Exercise, Job, SubmissionFile, SubmissionRow
from grader.server import accounts
from grader.server.app import create_app
from grader.server.intake import accept, quota_of
from grader.server.settings import ServerSettings

from .conftest import PASSWORD, People, bearer, csrf_of, fail_queued, grade_queued, signed_in

HOSTILE = b'''
import numpy as np
print("<script>window.__pwned = 1</script> & <b>bold</b>")


def accuracy(y_true, y_pred):
    raise ValueError('<img src=x onerror="window.__pwned=1"> <i>not italic</i>')


def precision(y_true, y_pred, pos_label=1):
    return 0.0


recall = f1 = precision


def confusion_matrix(y_true, y_pred):
    return np.zeros((2, 2))
'''


def _rows(gradebook: Gradebook) -> int:
    """Submissions in the gradebook (their rows; checked against their stored bytes and jobs)."""
    with Session(gradebook.engine) as session:
        counts = {int(session.scalar(select(func.count()).select_from(table)) or 0)
                  for table in (SubmissionRow, SubmissionFile, Job)}
    assert len(counts) == 1, counts
    return counts.pop()


def _files(gradebook: Gradebook) -> list[Path]:
    return [p for p in gradebook.files_dir.rglob("*") if p.is_file()] if gradebook.files_dir.exists() else []


def _upload(client: TestClient, name: str, data: bytes, *, csrf: str | None = None) -> object:
    page = client.get("/exercises/metrics")
    form = {"csrf": csrf_of(page.text) if csrf is None else csrf}
    return client.post("/exercises/metrics/submissions", data=form, files={"file": (name, data)},
                       follow_redirects=False)


def test_signing_in_is_needed(app: FastAPI, people: People) -> None:
    client = TestClient(app)
    for path in ("/", "/exercises/metrics", "/submissions/1", "/instructor", "/account"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/signin", path
    assert client.get("/api/v1/status").status_code == 401
    assert client.get("/api/v1/status", headers=bearer("mlj_not-a-token")).status_code == 401
    page = client.get("/signin")
    wrong = client.post("/signin", data={"login": "alice", "password": "nope", "csrf": csrf_of(page.text)})
    assert wrong.status_code == 401 and "wrong login or password" in wrong.text


def test_another_students_work_is_404(app: FastAPI, people: People, gradebook: Gradebook, metrics: AssignmentSpec,
                                      reference: bytes) -> None:
    bobs = accept(gradebook, assignment=metrics, student="bob", data=reference, original_name="solution.py",
                  channel="web")
    alice = signed_in(app, "alice")
    missing = 10_000
    for path in ("/submissions/{}", "/submissions/{}/status", "/submissions/{}/file"):
        mine_not = alice.get(path.format(bobs.submission_id))
        absent = alice.get(path.format(missing))
        assert mine_not.status_code == absent.status_code == 404, path
        assert mine_not.text == absent.text
    theirs = alice.get(f"/api/v1/submissions/{bobs.submission_id}", headers=bearer(people.alice_token))
    absent = alice.get(f"/api/v1/submissions/{missing}", headers=bearer(people.alice_token))
    assert theirs.status_code == absent.status_code == 404 and theirs.json() == absent.json()
    bob = signed_in(app, "bob")
    assert bob.get(f"/submissions/{bobs.submission_id}/file").content == reference
    assert bob.get(f"/api/v1/submissions/{bobs.submission_id}", headers=bearer(people.bob_token)).status_code == 200
    assert signed_in(app, "prof").get(f"/submissions/{bobs.submission_id}").status_code == 200
    prof_token = accounts.issue_token(gradebook.engine, next(p.id for p in accounts.people(gradebook.engine)
                                                             if p.is_instructor))
    refused = alice.post("/api/v1/exercises/metrics/submissions", headers=bearer(prof_token),
                         files={"file": ("solution.py", reference)})
    assert refused.status_code == 403 and "only students" in refused.json()["detail"]


def test_students_cannot_use_instructor_pages(app: FastAPI, people: People) -> None:
    alice = signed_in(app, "alice")
    for path in ("/instructor", "/instructor/exercises/metrics", "/instructor/exercises/metrics/report",
                 "/instructor/exercises/metrics/export/csv", "/instructor/exercises/metrics/students/bob"):
        assert alice.get(path).status_code == 403, path
    csrf = csrf_of(alice.get("/").text)
    assert alice.post("/instructor/exercises/metrics/publish", data={"csrf": csrf}).status_code == 403
    assert alice.post("/instructor/accounts/1/invitation", data={"csrf": csrf}).status_code == 403


def test_a_form_without_its_csrf_token_is_refused(app: FastAPI, people: People, gradebook: Gradebook,
                                                  reference: bytes) -> None:
    alice = signed_in(app, "alice")
    for token in ("", "forged-token-of-the-right-length-0123456789"):
        answer = _upload(alice, "solution.py", reference, csrf=token)
        assert answer.status_code == 403  # type: ignore[attr-defined]
    assert _rows(gradebook) == 0 and not _files(gradebook)
    prof = signed_in(app, "prof")
    assert prof.post("/instructor/exercises/metrics/publish", data={"action": "publish"}).status_code == 403
    with Session(gradebook.engine) as session:
        assert session.scalar(select(Exercise.published_at).filter_by(name="metrics")) is None
    assert prof.post("/account/token", data={}).status_code == 403
    fresh = TestClient(app)
    assert fresh.post("/signin", data={"login": "alice", "password": "x"}).status_code == 403
    assert alice.post("/signout", data={}).status_code == 403
    assert alice.get("/").status_code == 200  # still signed in


def test_an_oversized_upload_is_refused_and_nothing_is_stored(app: FastAPI, people: People,
                                                              gradebook: Gradebook) -> None:
    alice = signed_in(app, "alice")
    big = b"# padding\n" * 500  # 5,000 bytes; the exercise takes 4 KB
    answer = _upload(alice, "solution.py", big)
    assert answer.status_code == 413  # type: ignore[attr-defined]
    assert "larger than this exercise accepts (4 KB)" in answer.text  # type: ignore[attr-defined]
    api = alice.post("/api/v1/exercises/metrics/submissions", headers=bearer(people.alice_token),
                     files={"file": ("solution.py", big)})
    assert api.status_code == 413 and "4 KB" in api.json()["detail"] and "nothing was stored" in api.json()["detail"]
    huge = alice.post("/api/v1/exercises/metrics/submissions", headers=bearer(people.alice_token),
                      files={"file": ("solution.py", b"x" * (200 * 1024))})  # over the whole request cap
    assert huge.status_code == 413
    assert _rows(gradebook) == 0 and not _files(gradebook)


def test_wrong_type_and_empty_files_are_refused(app: FastAPI, people: People, gradebook: Gradebook) -> None:
    alice = signed_in(app, "alice")
    assert _upload(alice, "solution.txt", b"x = 1\n").status_code == 415  # type: ignore[attr-defined]
    empty = _upload(alice, "solution.py", b"  \n")
    assert empty.status_code == 400 and "empty" in empty.text  # type: ignore[attr-defined]
    assert _rows(gradebook) == 0


def test_quota_refusal_says_when_the_next_comes(app: FastAPI, people: People, gradebook: Gradebook,
                                                reference: bytes) -> None:
    client = TestClient(app)
    for n in range(3):
        ok = client.post("/api/v1/exercises/metrics/submissions", headers=bearer(people.alice_token),
                         files={"file": ("solution.py", reference + f"# {n}\n".encode())})
        assert ok.status_code == 201, ok.text
        assert ok.json()["quota"]["left"] == 2 - n
    refused = client.post("/api/v1/exercises/metrics/submissions", headers=bearer(people.alice_token),
                          files={"file": ("solution.py", reference + b"# 4\n")})
    assert refused.status_code == 429
    assert "no submissions left for now; the next one comes at 20" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    alice = signed_in(app, "alice")
    page = _upload(alice, "solution.py", reference + b"# 5\n")
    assert page.status_code == 429 and "the next one comes at" in page.text  # type: ignore[attr-defined]
    assert _rows(gradebook) == 3


def test_a_judge_error_does_not_use_quota(app: FastAPI, people: People, gradebook: Gradebook,
                                          metrics: AssignmentSpec, reference: bytes) -> None:
    alice = signed_in(app, "alice")
    answer = _upload(alice, "solution.py", reference)
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert quota_of(gradebook, metrics, "alice").left == 2
    assert fail_queued(gradebook, metrics) == 1
    assert quota_of(gradebook, metrics, "alice").left == 3
    page = alice.get(answer.headers["location"])  # type: ignore[attr-defined]
    assert "judge failed on this submission" in page.text and "the judge's fault" in page.text
    assert "did not use any of your submissions" in page.text
    assert "3 submission(s) left" in page.text
    api = alice.get(f"/api/v1/submissions/{answer.headers['location'].rsplit('/', 1)[1]}",  # type: ignore[attr-defined]
                    headers=bearer(people.alice_token)).json()
    assert api["state"] == "judge_error" and api["result"]["judge_error"] and api["result"]["score"] is None


def test_hostile_text_is_shown_as_text(app: FastAPI, people: People, gradebook: Gradebook, metrics: AssignmentSpec,
                                       settings: object) -> None:
    alice = signed_in(app, "alice")
    names = ["../../x.py", "<img src=x onerror=alert(1)>.py"]
    ids = []
    for n, name in enumerate(names):
        answer = _upload(alice, name, HOSTILE + f"# {n}\n".encode())
        assert answer.status_code == 303  # type: ignore[attr-defined]
        ids.append(int(answer.headers["location"].rsplit("/", 1)[1]))  # type: ignore[attr-defined]
    assert grade_queued(gradebook, metrics, gradebook.files_dir.parent) == 2
    for path in _files(gradebook):  # the browser's name never made a path
        assert path.resolve().is_relative_to(gradebook.files_dir.resolve()) and path.name[:-3].isalnum()
    pages = [alice.get(f"/submissions/{i}").text for i in ids] + [alice.get("/exercises/metrics").text]
    for page in pages:
        assert "<img src=x" not in page and "<script>window" not in page and "<i>not" not in page
    first, second = pages[0], pages[1]
    assert "../../x.py" in first
    assert "&lt;img src=x onerror=alert(1)&gt;.py" in second
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in first
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt; &lt;i&gt;not italic&lt;/i&gt;" in first
    api = alice.get(f"/api/v1/submissions/{ids[1]}", headers=bearer(people.alice_token)).json()
    assert api["original_name"] == names[1] and "<script>" in api["result"]["output"]


def test_feedback_follows_publication(app: FastAPI, people: People, gradebook: Gradebook, metrics: AssignmentSpec,
                                      reference: bytes) -> None:
    client = TestClient(app)
    made = client.post("/api/v1/exercises/metrics/submissions", headers=bearer(people.alice_token),
                       files={"file": ("solution.py", reference)})
    assert made.status_code == 201 and made.json()["state"] == "queued" and not made.json()["duplicate"]
    sid = made.json()["submission_id"]
    queued = client.get(f"/api/v1/submissions/{sid}", headers=bearer(people.alice_token)).json()
    assert queued["state"] == "queued" and queued["position"] == 0 and queued["result"] is None
    assert grade_queued(gradebook, metrics, gradebook.files_dir.parent) == 1
    graded = client.get(f"/api/v1/submissions/{sid}", headers=bearer(people.alice_token)).json()
    result = graded["result"]
    assert graded["state"] == "graded" and result["score"] is None and result["withheld_checks"] == 6
    assert {c["name"] for c in result["checks"]} == {"test_accuracy_and_confusion_matrix", "test_precision_recall_f1",
                                                     "test_zero_division_gives_zero"}
    alice = signed_in(app, "alice")
    page = alice.get(f"/submissions/{sid}").text
    assert "test_accuracy_matches_sklearn" not in page and "6 more check(s)" in page and "hx-get" not in page
    prof = signed_in(app, "prof")
    instructor_view = prof.get("/instructor/exercises/metrics/students/alice").text
    assert "test_accuracy_matches_sklearn" in instructor_view and "for the instructor" in instructor_view
    csrf = csrf_of(prof.get("/instructor/exercises/metrics").text)
    published = prof.post("/instructor/exercises/metrics/publish", data={"csrf": csrf, "action": "publish"})
    assert published.status_code == 200 and "Hidden results published" in published.text
    after = client.get(f"/api/v1/submissions/{sid}", headers=bearer(people.alice_token)).json()["result"]
    assert after["score"] == 10 and after["withheld_checks"] == 0 and len(after["checks"]) == 9
    assert "test_accuracy_matches_sklearn" in alice.get(f"/submissions/{sid}").text
    status = client.get("/api/v1/status", headers=bearer(people.alice_token)).json()
    assert status[0]["exercise"] == "metrics" and status[0]["latest"]["submission_id"] == sid
    again = client.post("/api/v1/exercises/metrics/submissions", headers=bearer(people.alice_token),
                        files={"file": ("other-name.py", reference)})
    assert again.status_code == 201 and again.json()["duplicate"] and again.json()["submission_id"] == sid


def test_instructor_pages(app: FastAPI, people: People, gradebook: Gradebook, metrics: AssignmentSpec,
                          reference: bytes) -> None:
    accept(gradebook, assignment=metrics, student="alice", data=reference, original_name="s.py", channel="web")
    grade_queued(gradebook, metrics, gradebook.files_dir.parent)
    accounts.import_roster(gradebook.engine, "student_id,name,email\ncarol,<script>alert(1)</script>,<b>@x\n")
    prof = signed_in(app, "prof")
    roster = prof.get("/instructor").text
    assert "alice" in roster and "active" in roster and "The Professor" in roster and "invited" in roster
    assert "<script>alert" not in roster and "&lt;script&gt;alert(1)&lt;/script&gt;" in roster
    assert "&lt;b&gt;@x" in roster
    csrf = csrf_of(roster)
    link = prof.post("/instructor/accounts/1/invitation", data={"csrf": csrf}).text
    assert "http://testserver/invite/" in link
    page = prof.get("/instructor/exercises/metrics").text
    assert "0 waiting" in page and "1 done" in page and "10.0 / 10.0" in page
    report = prof.get("/instructor/exercises/metrics/report")
    assert report.status_code == 200 and "script-src" not in report.headers["content-security-policy"]
    for fmt in ("csv", "canvas", "jsonl"):
        exported = prof.get(f"/instructor/exercises/metrics/export/{fmt}")
        assert exported.status_code == 200 and b"alice" in exported.content, fmt
    regraded = prof.post("/instructor/exercises/metrics/regrade", data={"csrf": csrf})
    assert "1 submission(s) queued for regrading" in regraded.text
    assert prof.get("/instructor/exercises/metrics/export/pickle").status_code == 404


def test_release_bundle_and_headers(app: FastAPI, people: People) -> None:
    alice = signed_in(app, "alice")
    answer = alice.get("/exercises/metrics/release.zip")
    assert answer.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert "metrics/stub.py" in names and "metrics/checks/public/test_public.py" in names
    assert not any("hidden" in n or "examples" in n for n in names)
    assert alice.get("/exercises/metrics/release.zip").content == answer.content  # built once, kept
    page = alice.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    cookie = alice.cookies.jar
    assert any(c.name == "mljudge_session" for c in cookie)
    raw = signed_in_cookie_header(app)
    assert "httponly" in raw.lower() and "samesite=lax" in raw.lower()
    docs = alice.get("/docs")
    assert docs.status_code == 200 and "sha256-" in docs.headers["content-security-policy"]
    assert "/api/v1/exercises/{exercise}/submissions" in alice.get("/openapi.json").json()["paths"]


def signed_in_cookie_header(app: FastAPI) -> str:
    client = TestClient(app)
    page = client.get("/signin")
    return str(page.headers.get("set-cookie", ""))


def test_twenty_wrong_passwords_on_the_page_lock_the_account(app: FastAPI, people: People) -> None:
    client = TestClient(app)
    csrf = csrf_of(client.get("/signin").text)
    for _ in range(19):
        wrong = client.post("/signin", data={"login": "bob", "password": "not it at all", "csrf": csrf})
        assert wrong.status_code == 401 and "wrong login or password" in wrong.text
    locked = client.post("/signin", data={"login": "bob", "password": "not it at all", "csrf": csrf})
    assert "this account is locked until" in locked.text
    right = client.post("/signin", data={"login": "bob", "password": PASSWORD, "csrf": csrf}, follow_redirects=False)
    assert right.status_code == 401 and "locked after too many wrong passwords" in right.text
    assert signed_in(app, "alice").get("/").status_code == 200  # another account is not locked


def test_cookies_sessions_and_their_key(settings: ServerSettings, app: FastAPI, people: People) -> None:
    alice = signed_in(app, "alice")
    other_server = create_app(settings)  # another server of the course: the same key from the course secret
    elsewhere = TestClient(other_server, cookies=dict(alice.cookies.items()))
    assert elsewhere.get("/exercises/metrics").status_code == 200
    secure = create_app(replace(settings, secure_cookies=True))
    assert "secure" in TestClient(secure).get("/signin").headers["set-cookie"].lower()
    assert "secure" not in TestClient(app).get("/signin").headers["set-cookie"].lower()
    forged = TestClient(app, cookies={"mljudge_session": "eyJhY2NvdW50IjogMX0=.forged.sig"})
    assert forged.get("/", follow_redirects=False).headers["location"] == "/signin"
    # a new password (an instructor's reset invitation, accepted) ends the sessions made before it
    engine = app.state.course.gradebook.engine
    token = accounts.new_invitation(engine, "alice")
    accounts.accept_invitation(engine, token, "a brand new password")
    assert alice.get("/", follow_redirects=False).headers["location"] == "/signin"


def test_a_notebook_is_accepted(app: FastAPI, people: People, gradebook: Gradebook, reference: bytes) -> None:
    import json

    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "code", "id": "a", "metadata": {}, "execution_count": None, "outputs": [],
                           "source": reference.decode()}]}
    data = json.dumps(notebook).encode()
    client = TestClient(app)
    made = client.post("/api/v1/exercises/metrics/submissions", headers=bearer(people.alice_token),
                       files={"file": ("My Notebook.ipynb", data)})
    assert made.status_code == 201, made.text
    sid = made.json()["submission_id"]
    alice = signed_in(app, "alice")
    download = alice.get(f"/submissions/{sid}/file")
    assert download.content == data and 'filename="submission-1.ipynb"' in download.headers["content-disposition"]
    assert "My Notebook.ipynb" in alice.get(f"/submissions/{sid}").text


def test_the_students_view_never_shows_an_instructors_message(app: FastAPI, people: People, gradebook: Gradebook,
                                                               metrics: AssignmentSpec, reference: bytes) -> None:
    import datetime as dt

    from grader.core.assignment import checks_hash
    from grader.core.values import CheckResult, Grade, Outcome, Verdict, Visibility
    from grader.course.gradebook import LatePolicy
    from grader.server import queue

    accept(gradebook, assignment=metrics, student="alice", data=reference, original_name="s.py", channel="web")
    checks = (
        CheckResult("a", "public_check", Outcome.FAILED, 0, 5, Visibility.VISIBLE, False, "<b>got 3</b>",
                    "INSTRUCTOR-NOTE-1"),
        CheckResult("b", "hidden_check", Outcome.PASSED, 5, 5, Visibility.AFTER_PUBLISHED, True, "HIDDEN-VALUE 0.93",
                    "INSTRUCTOR-NOTE-2"),
    )
    grade = Grade(exercise="metrics", submission_sha256="x", status="ok", verdict=Verdict.FAILED, score=5.0,
                  max_score=10.0, checks=checks)
    [held] = queue.claim(gradebook.engine, "w", 1, 60)
    due = dt.datetime.now(dt.UTC) - dt.timedelta(days=1, hours=1)
    assert queue.finish(gradebook.engine, held, checks_hash(metrics), grade, LatePolicy(due, 0.1))
    alice = signed_in(app, "alice")
    page = alice.get(f"/submissions/{held.submission_id}").text
    assert "public_check" in page and "&lt;b&gt;got 3&lt;/b&gt;" in page and "1 more check(s)" in page
    assert "Submitted 2 day(s) late: 20.0% off" in page
    for secret in ("INSTRUCTOR-NOTE", "HIDDEN-VALUE", "hidden_check"):
        assert secret not in page
    api = alice.get(f"/api/v1/submissions/{held.submission_id}", headers=bearer(people.alice_token)).text
    assert "INSTRUCTOR-NOTE" not in api and "HIDDEN-VALUE" not in api
    full = signed_in(app, "prof").get(f"/submissions/{held.submission_id}").text
    assert "INSTRUCTOR-NOTE-1" in full and "HIDDEN-VALUE 0.93" in full and "Score: <strong>4.0 / 10.0" in full


def test_every_cookie_post_checks_csrf_and_the_api_ignores_cookies(app: FastAPI, people: People) -> None:
    from fastapi.dependencies.models import Dependant
    from fastapi.routing import APIRoute

    from grader.server import api, web_auth, web_instructor, web_student
    from grader.server.security import verify_csrf

    def calls(dependant: Dependant) -> set[object]:
        found = {dependant.call}
        for sub in dependant.dependencies:
            found |= calls(sub)
        return found

    routes = [r for m in (web_auth, web_student, web_instructor, api) for r in m.router.routes]
    posts = [r for r in routes if isinstance(r, APIRoute) and "POST" in r.methods]
    assert len(posts) >= 8
    for route in posts:
        if route.path.startswith("/api/"):
            assert verify_csrf not in calls(route.dependant), route.path
        else:
            assert verify_csrf in calls(route.dependant), route.path
    alice = signed_in(app, "alice")
    assert alice.get("/api/v1/status").status_code == 401  # a session cookie is no API credential
    assert alice.post("/api/v1/exercises/metrics/submissions", files={"file": ("s.py", b"x=1\n")}).status_code == 401


def test_after_due_date_checks_show_once_the_due_date_passed(app: FastAPI, people: People, gradebook: Gradebook,
                                                              metrics: AssignmentSpec, reference: bytes) -> None:
    import datetime as dt

    from grader.core.assignment import checks_hash
    from grader.core.values import CheckResult, Grade, Outcome, Verdict, Visibility
    from grader.course.gradebook import LatePolicy
    from grader.server import queue

    accept(gradebook, assignment=metrics, student="alice", data=reference, original_name="s.py", channel="web")
    check = CheckResult("c", "after_the_due_date", Outcome.PASSED, 10, 10, Visibility.AFTER_DUE_DATE, True)
    grade = Grade(exercise="metrics", submission_sha256="x", status="ok", verdict=Verdict.PASSED, score=10.0,
                  max_score=10.0, checks=(check,))
    [held] = queue.claim(gradebook.engine, "w", 1, 60)
    assert queue.finish(gradebook.engine, held, checks_hash(metrics), grade, LatePolicy())
    alice = signed_in(app, "alice")
    course = app.state.course
    now = dt.datetime.now(dt.UTC)
    course.assignments["metrics"] = replace(metrics, due=now + dt.timedelta(days=1))
    assert "after_the_due_date" not in alice.get(f"/submissions/{held.submission_id}").text
    course.assignments["metrics"] = replace(metrics, due=now - dt.timedelta(minutes=1))
    page = alice.get(f"/submissions/{held.submission_id}").text
    assert "after_the_due_date" in page and "Score: <strong>10.0 / 10.0" in page
