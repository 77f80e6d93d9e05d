"""The student's pages: exercises (due dates, quota), the release bundle, uploading, a submission's
live status (an htmx fragment that polls until it is finished) and its feedback, earlier attempts.

Every page that takes a submission id answers 404 unless the reader wrote it (or is an instructor),
exactly as for an id that does not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from grader.course.schema import SubmissionFile, SubmissionRow
from grader.server import status as attempt_status
from grader.server.accounts import Person
from grader.server.context import Course, CourseDep, Reader, StudentReader, reader_or_none, render
from grader.server.intake import IntakeError, accept, quota_of
from grader.server.releases import release_zip
from grader.server.security import verify_csrf
from grader.server.status import AttemptStatus
from grader.server.views import attempt_view

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)


def visible_attempt(course: Course, person: Person, submission_id: int) -> AttemptStatus:
    """The submission if ``person`` may see it; else the same 404 as for a missing id."""
    found = attempt_status.attempt(course.gradebook.engine, submission_id)
    if found is None or (not person.is_instructor and found.student != person.student):
        raise HTTPException(404, "no such submission")
    return found


def read_upload(upload: UploadFile | None, limit: int) -> tuple[bytes, str]:
    """At most ``limit`` + 1 bytes of the upload, and the name the browser sent (data, never a path)."""
    if upload is None:
        return b"", ""
    return upload.file.read(limit + 1), upload.filename or ""


def too_large(max_kb: int) -> IntakeError:
    return IntakeError(f"the file is larger than this exercise accepts ({max_kb} KB): nothing was stored", 413)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, course: CourseDep,
         found: Annotated[Person | None, Depends(reader_or_none)]) -> Response:
    if found is None:
        return RedirectResponse("/signin", 303)
    if found.is_instructor:
        return RedirectResponse("/instructor", 303)
    student = found.student or ""
    rows = []
    for name, spec in course.assignments.items():
        latest = attempt_status.attempts(course.gradebook.engine, student, name)[:1]
        rows.append({"spec": spec, "quota": quota_of(course.gradebook, spec, student).describe(),
                     "latest": latest[0] if latest else None})
    return render(request, "home.html", {"rows": rows}, person=found)


def _exercise_page(request: Request, course: Course, person: Person, exercise: str, *, error: str = "",
                   status: int = 200) -> Response:
    spec = course.assignment(exercise)
    student = person.student or ""
    history = [attempt_view(a, course.audience(exercise))
               for a in attempt_status.attempts(course.gradebook.engine, student, exercise)]
    return render(request, "exercise.html", {
        "spec": spec, "quota": quota_of(course.gradebook, spec, student), "history": history, "error": error,
        "published": course.published_at(exercise) is not None,
    }, status=status, person=person)


@router.get("/exercises/{exercise}", response_class=HTMLResponse)
def exercise_page(request: Request, course: CourseDep, person: StudentReader, exercise: str) -> Response:
    return _exercise_page(request, course, person, exercise)


@router.get("/exercises/{exercise}/release.zip")
def release(course: CourseDep, person: Reader, exercise: str) -> Response:
    spec = course.assignment(exercise)
    return FileResponse(release_zip(course.settings.course, spec), media_type="application/zip",
                        filename=f"{spec.id}.zip")


@router.post("/exercises/{exercise}/submissions", dependencies=[Csrf])
def upload(request: Request, course: CourseDep, person: StudentReader, exercise: str,
           file: Annotated[UploadFile | None, File()] = None) -> Response:
    spec = course.assignment(exercise)
    data, name = read_upload(file, spec.quota.max_kb * 1024)
    try:
        if len(data) > spec.quota.max_kb * 1024:
            raise too_large(spec.quota.max_kb)
        accepted = accept(course.gradebook, assignment=spec, student=person.student or "", data=data,
                          original_name=name, channel="web")
    except IntakeError as exc:
        return _exercise_page(request, course, person, exercise, error=str(exc), status=exc.status)
    return RedirectResponse(f"/submissions/{accepted.submission_id}", 303)


def _status_context(course: Course, person: Person, found: AttemptStatus) -> dict[str, object]:
    audience = None if person.is_instructor else course.audience(found.exercise)
    return {"view": attempt_view(found, audience), "instructor_view": person.is_instructor}


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, course: CourseDep, person: Reader, submission_id: int) -> Response:
    found = visible_attempt(course, person, submission_id)
    spec = course.assignments.get(found.exercise)
    context = _status_context(course, person, found)
    if not person.is_instructor and spec is not None:
        context["quota"] = quota_of(course.gradebook, spec, found.student).describe()
    audience = None if person.is_instructor else course.audience(found.exercise)
    history = [attempt_view(a, audience)
               for a in attempt_status.attempts(course.gradebook.engine, found.student, found.exercise)]
    return render(request, "submission.html", {**context, "spec": spec, "history": history,
                                               "quota": context.get("quota", "")}, person=person)


@router.get("/submissions/{submission_id}/status", response_class=HTMLResponse)
def submission_status(request: Request, course: CourseDep, person: Reader, submission_id: int) -> Response:
    found = visible_attempt(course, person, submission_id)
    return render(request, "_status.html", _status_context(course, person, found), person=person)


@router.get("/submissions/{submission_id}/file")
def submission_file(course: CourseDep, person: Reader, submission_id: int) -> Response:
    """The file as handed in: the gradebook's bytes (``submission_files``), else the kept copy."""
    visible_attempt(course, person, submission_id)
    with Session(course.gradebook.engine) as session:
        row = session.get(SubmissionRow, submission_id)
        stored = session.get(SubmissionFile, submission_id)
        data = bytes(stored.data) if stored is not None else None
        path = Path(row.path) if row is not None else None
    if data is None and path is not None and path.is_file():
        data = path.read_bytes()
    if data is None or path is None:
        raise HTTPException(404, "no such submission")
    name = f"submission-{submission_id}{path.suffix if path.suffix in ('.py', '.ipynb') else '.py'}"
    return Response(data, media_type="application/octet-stream",
                    headers={"content-disposition": f'attachment; filename="{name}"'})
