"""The command line's client of the course server's JSON API (``judge submit --server``, ``judge status``).

The token comes from ``--token``, else ``$MLJUDGE_TOKEN``, else the user's config file
(``$XDG_CONFIG_HOME/mljudge/token``, by default ``~/.config/mljudge/token``); the server from
``--server``, else ``$MLJUDGE_SERVER``. The token is sent only as ``Authorization: Bearer`` and never
printed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx

TOKEN_ENV = "MLJUDGE_TOKEN"
SERVER_ENV = "MLJUDGE_SERVER"
MAX_UPLOAD = 64 * 1024 * 1024  # the server refuses far less; this only bounds what is read


class ClientError(Exception):
    """The server refused, or could not be reached; the message says why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def token_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mljudge" / "token"


def find_token(given: str | None = None) -> str:
    """The personal API token to use (see the module's docstring)."""
    if given:
        return given.strip()
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV].strip()
    path = token_file()
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    except OSError as exc:
        raise ClientError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not token:
        raise ClientError(f"no token: pass --token, set ${TOKEN_ENV}, or save the token from your account page "
                          f"in {path}")
    return token


def find_server(given: str | None = None) -> str:
    server = given or os.environ.get(SERVER_ENV, "")
    if not server:
        raise ClientError(f"which course server? pass --server URL or set ${SERVER_ENV}")
    return server.rstrip("/")


class Client:
    """One course server, one token."""

    def __init__(self, server: str, token: str, *, timeout: float = 60.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.server = server.rstrip("/")
        self._http = httpx.Client(base_url=self.server, timeout=timeout, transport=transport,
                                  headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ClientError(f"cannot reach the course server {self.server}: {type(exc).__name__}") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", "")
            except ValueError:
                detail = ""
            raise ClientError(str(detail) or f"the server answered {response.status_code}", response.status_code)
        try:
            return response.json()
        except ValueError:
            raise ClientError(f"{self.server} did not answer as a course server does") from None

    def submit(self, exercise: str, file: Path) -> dict[str, Any]:
        """Hand in ``file`` for ``exercise``; the server's answer (submission id, state, quota, url)."""
        path = Path(file)
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_UPLOAD + 1)
        except OSError as exc:
            raise ClientError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if len(data) > MAX_UPLOAD:
            raise ClientError(f"{path} is far larger than any exercise accepts")
        answer: dict[str, Any] = self._call("POST", f"/api/v1/exercises/{exercise}/submissions",
                                            files={"file": (path.name, data, "application/octet-stream")})
        return answer

    def submission(self, submission_id: int) -> dict[str, Any]:
        answer: dict[str, Any] = self._call("GET", f"/api/v1/submissions/{int(submission_id)}")
        return answer

    def status(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self._call("GET", "/api/v1/status")
        return answer

    def exercises(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self._call("GET", "/api/v1/exercises")
        return answer

    def wait(self, submission_id: int, *, timeout: float = 600.0, poll: float = 1.0) -> dict[str, Any]:
        """The submission once it is finished (or as it is when ``timeout`` runs out)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.submission(submission_id)
            if found.get("finished") or time.monotonic() >= deadline:
                return found
            time.sleep(poll)
