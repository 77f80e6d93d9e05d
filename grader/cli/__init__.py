"""The ``judge`` command: a thin layer over the library.

- ``app``        the command group (each command's module is imported when the command runs)
- ``common``     exit codes, the usage error, the console, the gradebook and the course secret
- ``options``    the options several commands share
- ``single``     one file: ``judge list``, ``check``, ``grade FILE``, ``submit``
- ``classwide``  a class: ``judge grade DIR|ZIP|--inbox`` (batch into the gradebook)
- ``records``    what the gradebook holds: ``judge export``, ``report``
- ``authoring``  ``judge verify``, ``release``
- ``people``     the course server's people: ``judge roster import``, ``instructor add``
- ``remote``     the course server from the command line: ``judge status`` (and ``submit --server``)
- ``similarity`` ``judge similarity``: copied submissions, ranked, stored, and an HTML report

Exit codes: 0 full marks (or success), 1 graded but not full marks (or a verify failure: a case out
of range, a reference whose score differs between runs or that is too slow),
2 bad usage or a broken exercise, 3 the judge itself failed (never the student's zero).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

from grader.cli.app import COMMANDS, cli

__all__ = ["COMMANDS", "cli", "main"]


def main() -> None:
    """Console-script entry point. Once the command is done, its exit handlers have run and its
    output is flushed, the process ends at once: tearing down the interpreter's modules (SQLAlchemy,
    rich, numpy, pytest…) took a third of a second after every class batch. With a thread of its
    own still running, a command ends the usual way (which waits for it)."""
    try:
        cli.main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    status = _status(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`judge export | head`): nothing more to say
            status = status or 1
    os._exit(status)


def _status(code: object) -> int:
    """The exit status ``sys.exit(code)`` would give (a message is printed, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
