"""Access logs that never hold a secret: invitation links and token parameters are redacted."""

from __future__ import annotations

import logging
import re

_INVITE = re.compile(r"(/invite/)[^/?#\s]+")
_QUERY = re.compile(r"((?:^|[?&])(?:token|invite|password)=)[^&#\s]*", re.IGNORECASE)


def redact(text: str) -> str:
    return _QUERY.sub(r"\1…", _INVITE.sub(r"\1…", text))


class RedactSecrets(logging.Filter):
    """Rewrites the request line of uvicorn's access log records (and any message) before they are written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Redact secrets in uvicorn's access and error logs."""
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
