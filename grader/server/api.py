"""The JSON API (``/api/v1``, documented at ``/docs``): submit, follow a submission, list exercises.

It authenticates with ``Authorization: Bearer <token>`` only (a personal token from the account page;
cookies are ignored, so no CSRF token is needed). A student sees only their own submissions: any
other id is a 404, as for one that does not exist. Errors are ``{"detail": "..."}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Security, UploadFile
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from grader.server import status as attempt_status
from grader.server.accounts import Person, account_for_token
from grader.server.context import Course, CourseDep
from grader.server.intake import IntakeError, accept, quota_of
from grader.server.quota import QuotaStatus
from grader.server.views import attempt_json, attempt_view
from grader.server.web_student import read_upload, too_large, visible_attempt

router = APIRouter(prefix="/api/v1", tags=["api"])
bearer = HTTPBearer(auto_error=False, description="A personal token from the account page (shown once).")


class ErrorOut(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "an empty file"},
    401: {"model": ErrorOut, "description": "no valid token"},
    403: {"model": ErrorOut, "description": "not a student's token"},
    404: {"model": ErrorOut, "description": "no such exercise"},
    413: {"model": ErrorOut, "description": "the file is over the exercise's size cap (nothing stored)"},
    415: {"model": ErrorOut, "description": "not a .py or .ipynb file"},
    429: {"model": ErrorOut, "description": "no submission left now: the message says when the next one comes"},
}


class QuotaOut(BaseModel):
    allowed: bool
    left: int
    used: int
    next_at: str | None
    message: str


class CheckOut(BaseModel):
    name: str
    outcome: str
    points_earned: float
    points_possible: float
    message: str


class ResultOut(BaseModel):
    score: float | None
    max_score: float
    withheld_checks: int
    verdict: str
    late_days: int
    penalty: float
    judge_error: bool
    output: str
    notes: list[str]
    checks: list[CheckOut]


class SubmissionOut(BaseModel):
    submission_id: int
    exercise: str
    state: str
    finished: bool
    position: int | None
    submitted_at: str | None
    started_at: str | None
    graded_at: str | None
    original_name: str
    url: str
    result: ResultOut | None


class Created(BaseModel):
    submission_id: int
    state: str
    duplicate: bool
    quota: QuotaOut
    url: str


class ExerciseOut(BaseModel):
    id: str
    title: str
    points: float
    due: str | None
    quota: QuotaOut | None


class LatestOut(BaseModel):
    exercise: str
    quota: QuotaOut | None
    latest: SubmissionOut | None


def quota_json(q: QuotaStatus) -> QuotaOut:
    return QuotaOut(allowed=q.allowed, left=q.left, used=q.used, message=q.describe(),
                    next_at=q.next_at.isoformat(timespec="seconds") if q.next_at is not None else None)


def api_person(course: CourseDep,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]) -> Person:
    """The token's account, else 401."""
    found = account_for_token(course.gradebook.engine, credentials.credentials) if credentials is not None else None
    if found is None:
        raise HTTPException(401, "send a valid personal token as 'Authorization: Bearer <token>' "
                                 "(make one on your account page)", headers={"WWW-Authenticate": "Bearer"})
    return found


ApiPerson = Annotated[Person, Depends(api_person)]


def _url(course: Course, submission_id: int) -> str:
    return f"{course.settings.base_url.rstrip('/')}/submissions/{submission_id}"


def _submission(course: Course, person: Person, found: attempt_status.AttemptStatus) -> SubmissionOut:
    audience = None if person.is_instructor else course.audience(found.exercise)
    return SubmissionOut.model_validate(attempt_json(attempt_view(found, audience), _url(course, found.submission_id)))


@router.get("/exercises")
def exercises(course: CourseDep, person: ApiPerson) -> list[ExerciseOut]:
    """The exercises, with due dates and (for a student) the submissions left."""
    return [ExerciseOut(id=spec.id, title=spec.title, points=spec.points,
                        due=spec.due.isoformat() if spec.due is not None else None,
                        quota=quota_json(quota_of(course.gradebook, spec, person.student)) if person.student else None)
            for spec in course.assignments.values()]


@router.post("/exercises/{exercise}/submissions", status_code=201, response_model=Created, responses=ERRORS)
def submit(course: CourseDep, person: ApiPerson, exercise: str,
           file: Annotated[UploadFile | None, File(description="the .py or .ipynb to hand in")] = None) -> Any:
    """Hand in a file (multipart field ``file``). 429 when no submission is left: the message says when
    the next one comes; 413 for a file over the exercise's size cap (nothing is stored)."""
    if person.student is None:
        raise HTTPException(403, "only students hand in submissions")
    spec = course.assignment(exercise)
    data, name = read_upload(file, spec.quota.max_kb * 1024)
    try:
        if len(data) > spec.quota.max_kb * 1024:
            raise too_large(spec.quota.max_kb)
        accepted = accept(course.gradebook, assignment=spec, student=person.student, data=data, original_name=name,
                          channel="api")
    except IntakeError as exc:
        headers = {}
        if exc.status == 429 and exc.quota is not None and exc.quota.next_at is not None:
            headers["Retry-After"] = str(max(1, int((exc.quota.next_at - dt.datetime.now(dt.UTC)).total_seconds())))
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)
    state = "queued"
    if accepted.duplicate:  # the same file again: say where the first one stands
        found = attempt_status.attempt(course.gradebook.engine, accepted.submission_id)
        state = found.state if found is not None else state
    body = Created(submission_id=accepted.submission_id, state=state,
                   duplicate=accepted.duplicate, quota=quota_json(accepted.quota),
                   url=_url(course, accepted.submission_id))
    return JSONResponse(body.model_dump(), status_code=201,
                        headers={"Location": f"/api/v1/submissions/{accepted.submission_id}"})


@router.get("/submissions/{submission_id}",
            responses={401: ERRORS[401], 404: {"model": ErrorOut, "description": "no such submission of yours"}})
def submission(course: CourseDep, person: ApiPerson, submission_id: int) -> SubmissionOut:
    """One of your submissions: its state, queue position, timestamps, and the checks you may see."""
    return _submission(course, person, visible_attempt(course, person, submission_id))


@router.get("/status")
def latest(course: CourseDep, person: ApiPerson) -> list[LatestOut]:
    """Your latest attempt at each exercise, and the submissions you have left."""
    out = []
    for name, spec in course.assignments.items():
        found = attempt_status.attempts(course.gradebook.engine, person.student, name)[:1] if person.student else []
        out.append(LatestOut(exercise=name, latest=_submission(course, person, found[0]) if found else None,
                             quota=quota_json(quota_of(course.gradebook, spec, person.student))
                             if person.student else None))
    return out
