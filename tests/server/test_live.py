"""The course server on a real uvicorn on 127.0.0.1: logs never hold a secret, bodies are capped."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import httpx

from grader.server import accounts

from .conftest import PASSWORD, Captured, LiveServer, bearer, csrf_of

LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "grader", "grader.server")


def _capture() -> Captured:
    handler = Captured()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    return handler


def _release(handler: Captured) -> None:
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(handler)


def test_tokens_and_passwords_never_reach_the_logs(live: LiveServer) -> None:
    engine = live.app.state.course.gradebook.engine
    invitation = accounts.import_roster(engine, "student_id,name,email\nalice,Alice,\n")[0].invitation or ""
    handler = _capture()
    try:
        with httpx.Client(base_url=live.url, follow_redirects=False) as web:
            page = web.get(f"/invite/{invitation}")
            assert page.status_code == 200
            accepted = web.post(f"/invite/{invitation}", data={"csrf": csrf_of(page.text), "password": PASSWORD,
                                                               "again": PASSWORD})
            assert accepted.status_code == 303
            assert web.get(f"/invite/{invitation}").status_code == 404  # used up, and still not logged
            made = web.post("/account/token", data={"csrf": csrf_of(web.get("/account").text)})
            token = re.search(r'id="token">([^<]+)<', made.text).group(1)  # type: ignore[union-attr]
            signout = web.post("/signout", data={"csrf": csrf_of(made.text)})
            assert signout.status_code == 303
            again = web.post("/signin", data={"csrf": csrf_of(web.get("/signin").text), "login": "alice",
                                              "password": PASSWORD})
            assert again.status_code == 303
            cookie = web.cookies.get("mljudge_session") or ""
        with httpx.Client(base_url=live.url) as api:
            assert api.get("/api/v1/status", headers=bearer(token)).status_code == 200
            assert api.get(f"/api/v1/status?token={token}").status_code == 401
            assert api.get("/api/v1/status", headers=bearer(token + "x")).status_code == 401
            assert api.get(f"/api/v1/submissions/99?token={token}", headers=bearer(token)).status_code == 404
    finally:
        _release(handler)
    text = "\n".join(handler.lines)
    assert "GET /api/v1/status" in text and "POST /signin" in text and "/invite/" in text  # the log was captured
    for secret in (invitation, token, PASSWORD, cookie):
        assert secret and secret not in text


def test_a_streamed_body_over_the_cap_is_refused(live: LiveServer, people: object) -> None:
    token = people.alice_token  # type: ignore[attr-defined]

    def chunks() -> Iterator[bytes]:  # a well-formed multipart start, then a file that never ends
        yield (b'--zz\r\nContent-Disposition: form-data; name="file"; filename="solution.py"\r\n'
               b"Content-Type: text/x-python\r\n\r\n")
        for _ in range(100):
            yield b"x" * 4096

    with httpx.Client(base_url=live.url) as api:
        answer = api.post("/api/v1/exercises/metrics/submissions", content=chunks(),
                          headers={**bearer(token), "content-type": "multipart/form-data; boundary=zz"})
        assert answer.status_code == 413
        declared = api.post("/api/v1/exercises/metrics/submissions", headers=bearer(token),
                            files={"file": ("solution.py", b"#" * 300_000)})
        assert declared.status_code == 413 and "larger than this server accepts" in declared.json()["detail"]
    files = live.app.state.course.gradebook.files_dir
    assert not files.exists() or not any(p.is_file() for p in files.rglob("*"))
