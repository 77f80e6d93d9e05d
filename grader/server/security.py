"""The web layer's defences: the session key, CSRF tokens, security headers, a cap on request bodies.

- The session cookie is signed (Starlette's SessionMiddleware) with a key derived from the course
  secret by HMAC: it survives restarts and is the same on every server of the course.
- Every form carries the session's CSRF token as a hidden input; a cookie-authenticated POST
  without it, or with another, is refused (403) before anything changes.
- Every response says ``Content-Security-Policy`` (scripts only from this server), ``nosniff``,
  ``frame-ancestors 'none'`` and ``no-referrer`` (an invitation link never leaks through a Referer).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Form, HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_KEY = "csrf"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def session_key(course_secret: bytes) -> str:
    """The key that signs session cookies, derived from the course secret (never the secret itself)."""
    return hmac.new(course_secret, b"mljudge course server: session cookies v1", hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use)."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


def verify_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """A dependency of every cookie-authenticated POST: the form's token must be the session's."""
    expected = request.session.get(CSRF_KEY)
    if not isinstance(expected, str) or not csrf or not hmac.compare_digest(csrf.encode(), expected.encode()):
        raise HTTPException(403, "this form has expired or did not come from this site: reload the page and try again")


class SecurityHeaders:
    """Adds the security headers to every HTTP response (a response's own CSP is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [h for h in HEADERS if h[0] not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses (413) a request body over ``limit`` bytes, declared or streamed, before the app stores it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _refuse(send, self.limit)
            return
        seen = 0
        over = started = False

        async def receiving() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    over = True
                    raise BodyTooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if over:  # whatever the app made of the cut body (a 400), the answer is 413
                if not started:
                    started = True
                    await _refuse(send, self.limit)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except BodyTooLarge:
            if not started:
                await _refuse(send, self.limit)


async def _refuse(send: Send, limit: int) -> None:
    body = (f'{{"detail": "the request is larger than this server accepts ({limit // 1024} KB)"}}').encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
