"""Signing in and out, accepting an invitation (choosing a password), and the personal API token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grader.server import accounts
from grader.server.accounts import AccountError, InvitationError, Person, SignInError
from grader.server.context import CourseDep, Reader, reader_or_none, render, sign_in_session
from grader.server.security import verify_csrf

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, found: Annotated[Person | None, Depends(reader_or_none)]) -> Response:
    if found is not None:
        return RedirectResponse("/", 303)
    return render(request, "signin.html", {"error": "", "login": ""})


@router.post("/signin", dependencies=[Csrf])
def signin(request: Request, course: CourseDep, login: Annotated[str, Form()] = "",
           password: Annotated[str, Form()] = "") -> Response:
    try:
        found = accounts.sign_in(course.gradebook.engine, login, password, _address(request))
    except SignInError as exc:
        return render(request, "signin.html", {"error": str(exc), "login": login[:128]}, status=401)
    sign_in_session(request, found)
    return RedirectResponse("/", 303)


@router.post("/signout", dependencies=[Csrf])
def signout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/signin", 303)


@router.get("/invite/{token}", response_class=HTMLResponse)
def invitation_page(request: Request, course: CourseDep, token: str) -> Response:
    try:
        holder = accounts.invitation_holder(course.gradebook.engine, token)
    except InvitationError as exc:
        return render(request, "invite.html", {"error": str(exc), "holder": None}, status=404)
    return render(request, "invite.html", {"error": "", "holder": holder})


@router.post("/invite/{token}", dependencies=[Csrf])
def accept(request: Request, course: CourseDep, token: str, password: Annotated[str, Form()] = "",
           again: Annotated[str, Form()] = "") -> Response:
    engine = course.gradebook.engine
    try:
        holder = accounts.invitation_holder(engine, token)
    except InvitationError as exc:
        return render(request, "invite.html", {"error": str(exc), "holder": None}, status=404)
    if password != again:
        return render(request, "invite.html", {"error": "the two passwords differ", "holder": holder}, status=400)
    try:
        found = accounts.accept_invitation(engine, token, password)
    except InvitationError as exc:
        return render(request, "invite.html", {"error": str(exc), "holder": None}, status=404)
    except AccountError as exc:
        return render(request, "invite.html", {"error": str(exc), "holder": holder}, status=400)
    sign_in_session(request, found)
    return RedirectResponse("/", 303)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, person: Reader) -> Response:
    return render(request, "account.html", {"token": ""}, person=person)


@router.post("/account/token", dependencies=[Csrf])
def new_token(request: Request, course: CourseDep, person: Reader) -> Response:
    token = accounts.issue_token(course.gradebook.engine, person.id)
    return render(request, "account.html", {"token": token}, person=person)
