"""``create_app(settings)``: the course server's FastAPI application (pages, htmx fragments, JSON API).

Middleware, outermost first: a cap on request bodies (the largest upload any exercise accepts plus
room for the form), the security headers, the signed session cookie (HttpOnly, SameSite=lax, Secure
when ``settings.secure_cookies``; keyed from the course secret). Pages are Jinja2 with autoescaping.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from grader import __version__
from grader.core.secret import course_secret
from grader.course.gradebook import Gradebook
from grader.server import api, logs, web_auth, web_instructor, web_leaderboard, web_similarity, web_student
from grader.server.context import Course, SignInNeeded, load_assignments, make_templates, reader_or_none, render
from grader.server.security import BodyLimit, SecurityHeaders, session_key
from grader.server.settings import ServerSettings

STATIC = Path(__file__).with_name("static")
FORM_ROOM = 64 * 1024  # what a multipart form adds to the file


def create_app(settings: ServerSettings) -> FastAPI:
    """The course server for ``settings`` (opens the gradebook, loads the exercises)."""
    logs.install()  # invitation links and tokens never reach uvicorn's logs
    gradebook = Gradebook(settings.db_url, settings.files_dir)
    assignments = load_assignments(settings)
    course = Course(settings, gradebook, assignments, make_templates())
    app = FastAPI(title="mljudge course server", version=__version__, docs_url=None, redoc_url=None,
                  description="Submit exercises and follow their grading. Authenticate with a personal token: "
                              "`Authorization: Bearer <token>`.")
    app.state.course = course
    app.include_router(web_auth.router)
    app.include_router(web_student.router)
    app.include_router(web_instructor.router)
    app.include_router(api.router)
    app.include_router(web_leaderboard.router)
    app.include_router(web_leaderboard.api_router)
    app.include_router(web_similarity.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _docs(app)
    _errors(app)
    largest = max((s.quota.max_kb for s in assignments.values()), default=512) * 1024
    app.add_middleware(SessionMiddleware, secret_key=session_key(course_secret(settings.course)),
                       session_cookie="mljudge_session", same_site="lax", https_only=settings.secure_cookies,
                       max_age=14 * 24 * 3600)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=largest + FORM_ROOM)
    return app


#: The vendored Swagger UI (static/swagger-ui-<version>/, from `npm pack swagger-ui-dist@5.35.0`).
SWAGGER_UI = "swagger-ui-5.35.0"


def _docs(app: FastAPI) -> None:
    """Swagger UI at /docs, served from this server (vendored, no CDN), its one inline script allowed
    by its hash (no other inline script runs)."""
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="mljudge API",
                               swagger_js_url=f"/static/{SWAGGER_UI}/swagger-ui-bundle.js",
                               swagger_css_url=f"/static/{SWAGGER_UI}/swagger-ui.css",
                               swagger_favicon_url="data:,")
    body = bytes(page.body)
    scripts = re.findall(rb"<script>(.*?)</script>", body, re.DOTALL)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in scripts)
    csp = (f"default-src 'self'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; "
           "frame-ancestors 'none'")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return HTMLResponse(body, headers={"content-security-policy": csp})


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _errors(app: FastAPI) -> None:
    @app.exception_handler(SignInNeeded)
    def sign_in_needed(request: Request, _exc: SignInNeeded) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "not signed in"}, status_code=401)
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/signin"})
        return RedirectResponse("/signin", 303)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
        person = reader_or_none(request, request.app.state.course)
        return render(request, "error.html", {"status": exc.status_code, "detail": str(exc.detail)},
                      status=exc.status_code, person=person)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors())
        detail = f"invalid request: {where}"[:500]
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=422)
        return render(request, "error.html", {"status": 422, "detail": detail}, status=422,
                      person=reader_or_none(request, request.app.state.course))
