"""A batch's start-up: how many grading processes, what the forkserver imports, the lean CLI."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from grader.cli.app import COMMANDS, cli
from grader.course.warmup import MIN_TASKS_PER_WORKER, check_imports, workers_for
from tests.conftest import REPO


def test_a_handful_of_submissions_get_one_process() -> None:
    assert workers_for(0, cores=8) == 1
    assert workers_for(MIN_TASKS_PER_WORKER * 2 - 1, cores=8) == 1
    assert workers_for(MIN_TASKS_PER_WORKER * 2, cores=8) == 2
    assert workers_for(1000, cores=8) == 8


def test_asked_for_workers_never_outnumber_the_submissions() -> None:
    assert workers_for(3, requested=8, cores=2) == 3
    assert workers_for(20, requested=1, cores=8) == 1
    assert workers_for(0, requested=4) == 1


def test_the_forkserver_imports_what_the_checks_import_at_their_top(tmp_path: Path) -> None:
    checks = tmp_path / "checks" / "hidden"
    checks.mkdir(parents=True)
    (tmp_path / "helper_of_the_exercise.py").write_text("X = 1\n")
    (checks / "test_hidden.py").write_text(textwrap.dedent("""
        from __future__ import annotations
        import json, numpy as np
        from sklearn import metrics
        import tensorflow
        from . import sibling
        from helper_of_the_exercise import X
        import no_such_module_anywhere

        def test_x():
            import csv  # inside a function: left to the check
    """))
    sys.path.insert(0, str(tmp_path))
    try:
        found = check_imports([checks], tmp_path)
    finally:
        sys.path.remove(str(tmp_path))
    assert "numpy" in found and "json" in found
    assert ("sklearn" in found) == (subprocess.run([sys.executable, "-c", "import sklearn"], check=False,
                                                   capture_output=True).returncode == 0)
    for left_out in ("tensorflow", "helper_of_the_exercise", "no_such_module_anywhere", "csv", "__future__"):
        assert left_out not in found, found


def test_every_command_is_found_where_the_table_says() -> None:
    for name, module in COMMANDS.items():
        __import__(f"grader.cli.{module}")
        assert name in cli.commands, (name, module)
    assert set(cli.commands) == set(COMMANDS)


def test_checking_one_file_imports_neither_the_gradebook_nor_the_server() -> None:
    code = ("import sys\nfrom click.testing import CliRunner\nfrom grader.cli import cli\n"
            "CliRunner().invoke(cli, ['check', '--help'], catch_exceptions=False)\n"
            "print(sorted(m for m in ('sqlalchemy', 'fastapi', 'alembic', 'grader.server', 'grader.similarity',"
            " 'grader.authoring.verify') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
