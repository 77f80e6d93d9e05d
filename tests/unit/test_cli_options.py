"""The shared options name every sandbox backend, and ``judge grade DIR`` reaches its forkserver
before it imports the backends (or numpy, pytest, SQLAlchemy)."""

from __future__ import annotations

import subprocess
import sys

from grader.cli.options import SANDBOX_NAMES
from grader.sandbox import BACKENDS
from tests.conftest import REPO


def test_the_sandbox_option_offers_every_backend_and_only_those() -> None:
    assert sorted(SANDBOX_NAMES) == sorted(BACKENDS)


def test_a_class_batch_starts_its_forkserver_before_any_heavy_import() -> None:
    """What the grader has imported when it starts the forkserver: the command's module, the
    assignment and the forkserver's own module, nothing that takes a tenth of a second."""
    probe = (
        "import sys\n"
        "import grader.cli.classwide, grader.course.forkserver, grader.core.assignment\n"
        "print(sorted(m for m in ('numpy', 'pytest', 'sqlalchemy', 'grader.sandbox', 'grader.course.batch') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
