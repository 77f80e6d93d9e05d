"""The instructor's similarity page: a copied pair is flagged after a run, students get 403, and
the report's pages are served from the report folder only."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from grader.core.assignment import AssignmentSpec
from grader.course.gradebook import Gradebook

from .conftest import People, bearer, csrf_of, grade_queued, signed_in


def test_a_copied_pair_is_flagged_on_the_instructors_page(app: FastAPI, gradebook: Gradebook, people: People,
                                                          metrics: AssignmentSpec, reference: bytes) -> None:
    api = TestClient(app)
    renamed = reference.replace(b"y_true", b"truth").replace(b"y_pred", b"guess") + b"\n# my own work\n"
    for token, data in ((people.alice_token, reference), (people.bob_token, renamed)):
        sent = api.post("/api/v1/exercises/metrics/submissions", headers=bearer(token),
                        files={"file": ("solution.py", data, "text/x-python")})
        assert sent.status_code == 201, sent.text
    assert grade_queued(gradebook, metrics, gradebook.files_dir.parent) == 2
    prof = signed_in(app, "prof")
    page = prof.get("/instructor/exercises/metrics/similarity")
    assert page.status_code == 200 and "No pair flagged" in page.text
    assert prof.post("/instructor/exercises/metrics/similarity", data={}).status_code == 403  # no CSRF token
    ran = prof.post("/instructor/exercises/metrics/similarity", data={"csrf": csrf_of(page.text)},
                    follow_redirects=False)
    assert ran.status_code == 303
    page = prof.get("/instructor/exercises/metrics/similarity")
    assert ">alice<" in page.text and ">bob<" in page.text and "No pair flagged" not in page.text
    report = prof.get("/instructor/exercises/metrics/similarity/report/index.html")
    assert report.status_code == 200 and "script-src" not in report.headers["content-security-policy"]
    for escape in ("../../secret.key", "..%2F..%2Fsecret.key", "/etc/passwd", "index.html/../../gradebook.sqlite"):
        assert prof.get(f"/instructor/exercises/metrics/similarity/report/{escape}").status_code == 404, escape
    alice = signed_in(app, "alice")
    assert alice.get("/instructor/exercises/metrics/similarity").status_code == 403
    assert alice.get("/instructor/exercises/metrics/similarity/report/index.html").status_code == 403
