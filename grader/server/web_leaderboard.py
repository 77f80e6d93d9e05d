"""An exercise's leaderboard on the server: the live public board (pseudonyms for students, ids for
instructors, the reader's own row marked), the private board once revealed, a student's final picks
and their pseudonym; and the same board in the JSON API. No private score is in any answer before
the exercise's reveal time, whoever asks."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.orm import Session

from grader.core.assignment import AssignmentSpec, LeaderboardSpec
from grader.core.secret import course_secret
from grader.core.text import printable
from grader.course import leaderboard as boards
from grader.course.schema import Account
from grader.server.accounts import Person
from grader.server.api import ApiPerson
from grader.server.context import Course, CourseDep, Reader, StudentReader, render
from grader.server.security import verify_csrf

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["api"])
Csrf = Depends(verify_csrf)
MAX_PSEUDONYM = 40


def _spec(course: Course, exercise: str) -> tuple[AssignmentSpec, LeaderboardSpec]:
    spec = course.assignment(exercise)
    if spec.leaderboard is None:
        raise HTTPException(404, "this exercise has no leaderboard")
    return spec, spec.leaderboard


def _boards(course: Course, person: Person, spec: AssignmentSpec,
            settings: LeaderboardSpec) -> tuple[boards.Board, boards.Board | None]:
    engine = course.gradebook.engine
    names = None if person.is_instructor else boards.pseudonyms(engine, course_secret(course.settings.course))
    public = boards.board(engine, spec.id, private=False, picks=settings.picks, names=names)
    private = boards.board(engine, spec.id, private=True, picks=settings.picks, names=names) \
        if settings.revealed() else None
    return public, private


def _own(course: Course, person: Person, spec: AssignmentSpec, settings: LeaderboardSpec) -> dict[str, Any]:
    """The reader's graded submissions (public scores only) and their picks."""
    if person.student is None:
        return {"own": [], "picks": [], "default_picks": []}
    found = [e for e in boards.entries(course.gradebook.engine, spec.id) if e.student == person.student]
    picks = boards.picks_of(course.gradebook.engine, spec.id, person.student)
    return {"own": found, "picks": picks, "default_picks": [] if picks else boards.default_picks(found, settings.picks)}


def _page(request: Request, course: Course, person: Person, exercise: str, *, error: str = "",
          status: int = 200) -> Response:
    spec, settings = _spec(course, exercise)
    public, private = _boards(course, person, spec, settings)
    return render(request, "leaderboard.html", {
        "spec": spec, "settings": settings, "public": public, "private": private, "error": error,
        "me": person.student, **_own(course, person, spec, settings),
    }, status=status, person=person)


@router.get("/exercises/{exercise}/leaderboard")
def leaderboard_page(request: Request, course: CourseDep, person: Reader, exercise: str) -> Response:
    return _page(request, course, person, exercise)


@router.post("/exercises/{exercise}/leaderboard/picks", dependencies=[Csrf])
def choose_picks(request: Request, course: CourseDep, person: StudentReader, exercise: str,
                 pick: Annotated[list[int] | None, Form()] = None) -> Response:
    spec, settings = _spec(course, exercise)
    if settings.revealed():
        return _page(request, course, person, exercise, error="the private board is revealed: picks are final",
                     status=409)
    try:
        boards.set_picks(course.gradebook.engine, spec.id, person.student or "", pick or [], settings.picks)
    except boards.PickError as exc:
        return _page(request, course, person, exercise, error=str(exc), status=400)
    return RedirectResponse(f"/exercises/{spec.id}/leaderboard", 303)


@router.post("/exercises/{exercise}/leaderboard/pseudonym", dependencies=[Csrf])
def choose_pseudonym(request: Request, course: CourseDep, person: StudentReader, exercise: str,
                     pseudonym: Annotated[str, Form()] = "") -> Response:
    _spec(course, exercise)
    name = " ".join(printable(pseudonym).split())[:MAX_PSEUDONYM]
    with Session(course.gradebook.engine) as session:
        session.execute(update(Account).where(Account.id == person.id).values(pseudonym=name or None))
        session.commit()
    return RedirectResponse(f"/exercises/{exercise}/leaderboard", 303)


class BoardRowOut(BaseModel):
    rank: int | None
    name: str
    score: float | None
    submissions: int
    you: bool


class BoardOut(BaseModel):
    exercise: str
    metric: str
    order: str
    revealed: bool
    reveal: str | None
    public: list[BoardRowOut]
    private: list[BoardRowOut] | None


def _rows(board: boards.Board, person: Person) -> list[BoardRowOut]:
    return [BoardRowOut(rank=r.rank, name=r.shown_name, score=r.score, submissions=r.submissions,
                        you=r.student == person.student) for r in board.rows]


@api_router.get("/exercises/{exercise}/leaderboard")
def leaderboard_api(course: CourseDep, person: ApiPerson, exercise: str) -> BoardOut:
    """The public board (and the private one after the reveal); names are pseudonyms for students."""
    spec, settings = _spec(course, exercise)
    public, private = _boards(course, person, spec, settings)
    return BoardOut(exercise=spec.id, metric=public.metric, order=public.order, revealed=private is not None,
                    reveal=settings.reveal.astimezone(dt.UTC).isoformat() if settings.reveal else None,
                    public=_rows(public, person), private=_rows(private, person) if private else None)
