"""The instructor's pages: the roster (invitation links shown once), and per exercise the queue,
the class table, the class report, a student's attempts in full, publishing, regrading, exports."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.course.schema import Account, Exercise
from grader.outputs.class_report import class_report_html
from grader.outputs.tables import export
from grader.server import accounts, queue
from grader.server import status as attempt_status
from grader.server.context import CourseDep, InstructorReader, render
from grader.server.security import verify_csrf
from grader.server.views import attempt_view

router = APIRouter(prefix="/instructor", include_in_schema=False)
Csrf = Depends(verify_csrf)
EXPORTS = {"csv": ("text/csv", "csv"), "canvas": ("text/csv", "csv"), "jsonl": ("application/x-ndjson", "jsonl")}
FLASH = "flash"  # the session key of a one-time notice shown on the next page
#: the class report holds its own styles and plots (data: images) and no script
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@router.get("", response_class=HTMLResponse)
def roster(request: Request, course: CourseDep, person: InstructorReader) -> Response:
    return render(request, "roster.html", {"people": accounts.people(course.gradebook.engine), "link": None},
                  person=person)


@router.post("/accounts/{account_id}/invitation", dependencies=[Csrf])
def invite(request: Request, course: CourseDep, person: InstructorReader, account_id: int) -> Response:
    engine = course.gradebook.engine
    with Session(engine) as session:
        login = session.scalar(select(Account.login).where(Account.id == account_id))
    if login is None:
        raise HTTPException(404, "no such account")
    token = accounts.new_invitation(engine, login)
    link = {"login": login, "url": course.settings.base_url.rstrip("/") + accounts.invitation_path(token)}
    return render(request, "roster.html", {"people": accounts.people(engine), "link": link}, person=person)


@router.get("/exercises/{exercise}", response_class=HTMLResponse)
def exercise_page(request: Request, course: CourseDep, person: InstructorReader, exercise: str) -> Response:
    spec = course.assignment(exercise)
    return render(request, "instructor_exercise.html", {
        "spec": spec, "stats": queue.stats(course.gradebook.engine, exercise=exercise),
        "records": course.gradebook.records(exercise), "published_at": course.published_at(exercise),
        "message": str(request.session.pop(FLASH, "")), "formats": tuple(EXPORTS),
    }, person=person)


@router.get("/exercises/{exercise}/report", response_class=HTMLResponse)
def report(course: CourseDep, person: InstructorReader, exercise: str) -> Response:
    spec = course.assignment(exercise)
    page = class_report_html(course.gradebook.records(exercise), title=spec.title, exercise=spec.id)
    return HTMLResponse(page, headers={"content-security-policy": REPORT_CSP, "cache-control": "no-store"})


@router.get("/exercises/{exercise}/students/{student}", response_class=HTMLResponse)
def student_attempts(request: Request, course: CourseDep, person: InstructorReader, exercise: str,
                     student: str) -> Response:
    spec = course.assignment(exercise)
    history = [attempt_view(a, None) for a in attempt_status.attempts(course.gradebook.engine, student, exercise)]
    return render(request, "instructor_student.html", {"spec": spec, "student": student, "history": history},
                  person=person)


@router.post("/exercises/{exercise}/publish", dependencies=[Csrf])
def publish(request: Request, course: CourseDep, person: InstructorReader, exercise: str,
            action: Annotated[str, Form()] = "publish") -> Response:
    spec = course.assignment(exercise)
    with Session(course.gradebook.engine) as session:
        row = session.scalars(select(Exercise).filter_by(name=spec.id)).first()
        if row is None:
            row = Exercise(name=spec.id, title=spec.title, points=spec.points)
            session.add(row)
        row.published_at = dt.datetime.now(dt.UTC) if action == "publish" else None
        session.commit()
    request.session[FLASH] = "results published" if action == "publish" else "results hidden again"
    return RedirectResponse(f"/instructor/exercises/{spec.id}", 303)


@router.post("/exercises/{exercise}/regrade", dependencies=[Csrf])
def regrade(request: Request, course: CourseDep, person: InstructorReader, exercise: str,
            submission_id: Annotated[int | None, Form()] = None) -> Response:
    spec = course.assignment(exercise)
    count = queue.regrade(course.gradebook.engine, spec.id, None if submission_id is None else [submission_id])
    request.session[FLASH] = f"{count} submission(s) queued for regrading"
    return RedirectResponse(f"/instructor/exercises/{spec.id}", 303)


@router.get("/exercises/{exercise}/export/{fmt}")
def export_grades(course: CourseDep, person: InstructorReader, exercise: str, fmt: str) -> Response:
    spec = course.assignment(exercise)
    if fmt not in EXPORTS:
        raise HTTPException(404, "no such export")
    media, suffix = EXPORTS[fmt]
    with tempfile.TemporaryDirectory(prefix="mljudge-export-") as tmp:
        target = Path(tmp) / f"grades.{suffix}"
        export(fmt, course.gradebook.records(spec.id), target, title=spec.title, exercise=spec.id)
        data = target.read_bytes()
    name = f"{spec.id}-{fmt}.{suffix}"
    return Response(data, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})
