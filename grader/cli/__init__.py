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

from grader.cli.app import COMMANDS, cli

__all__ = ["COMMANDS", "cli", "main"]


def main() -> None:
    """Console-script entry point."""
    cli()
