"""`judge` ends as soon as its command is done (no interpreter teardown), yet exits with the
command's code, flushes everything it printed and runs the exit handlers first."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _judge(*args: str, code: str = "from grader.cli import main; main()") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", f"import sys; sys.argv = ['judge', *{list(args)!r}]; {code}"],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def test_exit_codes_and_output_are_the_commands() -> None:
    listed = _judge("list")
    assert listed.returncode == 0 and "recommender-svd" in listed.stdout and "text-classification" in listed.stdout
    stub = _judge("check", "recommender-svd", "assignments/recommender-svd/stub.py", "--sandbox", "process")
    assert stub.returncode == 1 and "Score 0" in stub.stdout
    unknown = _judge("check", "no-such-exercise", "x.py")
    assert unknown.returncode == 2 and "no-such-exercise" in unknown.stdout + unknown.stderr
    usage = _judge("no-such-command")
    assert usage.returncode == 2 and "No such command" in usage.stderr


def test_exit_handlers_run_first(tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    done = _judge("list", code=f"import atexit; atexit.register(lambda: open({str(mark)!r}, 'w').write('yes')); "
                               "from grader.cli import main; main()")
    assert done.returncode == 0 and mark.read_text() == "yes"


def test_a_closed_pipe_is_not_a_traceback() -> None:
    done = subprocess.run(f"{sys.executable} -m grader list | head -c 10", shell=True, cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr
