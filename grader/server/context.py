"""What every route shares: the course (gradebook, exercises, templates), who is asking, and rendering.

A page asks for its reader with a dependency: ``Reader`` (anyone signed in), ``StudentReader`` or
``InstructorReader``. Someone not signed in is sent to the sign-in page; a student on an
instructor's page gets 403.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.core.assignment import AssignmentError, AssignmentSpec, default_home, find_assignments, get_assignment
from grader.core.text import printable
from grader.course.gradebook import Gradebook
from grader.course.schema import Exercise
from grader.outputs.feedback import Audience
from grader.server import accounts
from grader.server.accounts import Person
from grader.server.security import csrf_token
from grader.server.settings import ServerSettings

log = logging.getLogger("grader.server")
TEMPLATES = Path(__file__).with_name("templates")
SESSION_ACCOUNT = "account"
SESSION_CHECK = "check"


class SignInNeeded(Exception):
    """Raised by a page's dependency when nobody is signed in (answered with a redirect)."""


@dataclass(frozen=True)
class Course:
    settings: ServerSettings
    gradebook: Gradebook
    assignments: dict[str, AssignmentSpec]
    templates: Jinja2Templates

    def assignment(self, name: str) -> AssignmentSpec:
        """The exercise ``name`` (404 for one this server does not offer)."""
        found = self.assignments.get(name)
        if found is None:
            raise HTTPException(404, "no such exercise")
        return found

    def published_at(self, exercise: str) -> dt.datetime | None:
        with Session(self.gradebook.engine) as session:
            moment = session.scalar(select(Exercise.published_at).filter_by(name=exercise))
        if moment is None:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

    def audience(self, exercise: str, now: dt.datetime | None = None) -> Audience:
        """What a student may see of ``exercise``'s results now."""
        spec = self.assignments.get(exercise)
        return Audience(published=self.published_at(exercise) is not None, now=now or dt.datetime.now(dt.UTC),
                        due=spec.due if spec is not None else None)


def load_assignments(settings: ServerSettings) -> dict[str, AssignmentSpec]:
    """The exercises the server offers; one that does not load is left out (and logged)."""
    home = settings.home or default_home()
    names = settings.exercises or tuple(find_assignments(home))
    found: dict[str, AssignmentSpec] = {}
    for name in names:
        try:
            spec = get_assignment(name, home)
        except AssignmentError as exc:
            if settings.exercises:
                raise
            log.warning("exercise %s left out: %s", name, exc)
            continue
        found[spec.id] = spec
    return found


def _shown(value: object) -> object:
    """Every value a template prints goes through :func:`printable` (controls, bidi overrides
    become visible escapes); autoescaping then makes it HTML text."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, finalize=_shown,
                             undefined=jinja2.StrictUndefined)
    env.filters["when"] = _when
    return Jinja2Templates(env=env)


def course_of(request: Request) -> Course:
    course: Course = request.app.state.course
    return course


CourseDep = Annotated[Course, Depends(course_of)]


def reader_or_none(request: Request, course: CourseDep) -> Person | None:
    account_id = request.session.get(SESSION_ACCOUNT)
    if not isinstance(account_id, int):
        return None
    found = accounts.person(course.gradebook.engine, account_id)
    if found is None or not found.active or request.session.get(SESSION_CHECK) != found.session_check:
        request.session.pop(SESSION_ACCOUNT, None)
        return None
    return found


def reader(found: Annotated[Person | None, Depends(reader_or_none)]) -> Person:
    if found is None:
        raise SignInNeeded
    return found


def student_reader(found: Annotated[Person, Depends(reader)]) -> Person:
    if found.is_instructor or found.student is None:
        raise HTTPException(403, "this page is for students")
    return found


def instructor_reader(found: Annotated[Person, Depends(reader)]) -> Person:
    if not found.is_instructor:
        raise HTTPException(403, "this page is for instructors")
    return found


Reader = Annotated[Person, Depends(reader)]
StudentReader = Annotated[Person, Depends(student_reader)]
InstructorReader = Annotated[Person, Depends(instructor_reader)]


def sign_in_session(request: Request, found: Person) -> None:
    """A fresh session for ``found`` (no value of the session before signing in survives)."""
    request.session.clear()
    request.session[SESSION_ACCOUNT] = found.id
    request.session[SESSION_CHECK] = found.session_check
    csrf_token(request)


def render(request: Request, name: str, context: dict[str, Any], *, status: int = 200,
           person: Person | None = None) -> HTMLResponse:
    course = course_of(request)
    values = {"person": person, "csrf": csrf_token(request), "exercises": course.assignments, **context}
    response: HTMLResponse = course.templates.TemplateResponse(request, name, values, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response
