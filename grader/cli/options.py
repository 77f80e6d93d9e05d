"""The options several ``judge`` commands share, as decorators: ``@options.home``, ``@options.sandbox``…"""

from __future__ import annotations

from pathlib import Path

import click

#: The sandbox backends' names (``grader.sandbox.BACKENDS``; a unit test keeps the two equal): the
#: options are made without importing the backends, so that ``judge grade DIR`` starts its
#: forkserver before it imports them.
SANDBOX_NAMES = ("docker", "bwrap", "process", "bwrap-warm")

home = click.option(
    "--home", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder holding assignments/ (default: $MLJUDGE_HOME, ./, or the judge's own).",
)
sandbox = click.option(
    "--sandbox", type=click.Choice(["auto", *SANDBOX_NAMES]), default="auto", show_default=True,
    help="Where the submission runs.",
)
course = click.option(
    "--course", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Course folder: inbox, gradebook, kept files, the course secret (default: $MLJUDGE_COURSE, else ./course).",
)
db = click.option(
    "--db", default=None, metavar="URL",
    help="Gradebook database URL (default: sqlite file gradebook.sqlite in the course folder).",
)
