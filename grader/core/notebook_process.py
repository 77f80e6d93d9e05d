"""Notebook conversion in a process of its own, with bounded memory and time.

Parsing a notebook's cells (``ast.parse``) costs memory a hostile cell can blow up (a 4 MB list
literal takes 2 GB), so the grader never does it itself: it reads the file (capped), hands the bytes
to ``python -m grader.core.notebook_process`` on stdin, and reads back plain JSON. That process
limits its own address space and CPU time before reading anything; a notebook that exceeds them is
the submission's problem (a message for the student), never the grader's memory.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from grader.core.notebook import (
    ConvertedNotebook,
    NotebookError,
    convert,
    converted_from_dict,
    converted_to_dict,
    read_notebook_file,
)

#: The converting process's address space and CPU time; the grader waits a little longer than that.
MEMORY_MB = 1536
CPU_SECONDS = 20
WALL_SECONDS = 60
#: What the converter's answer may be at most (the module is about as long as the notebook's code).
MAX_ANSWER_BYTES = 256 * 1024 * 1024


def convert_bounded(path: Path) -> ConvertedNotebook:
    """The module made from the notebook at ``path``; NotebookError (for the student) when it is not
    one or cannot be converted within the bounds."""
    data = read_notebook_file(path)
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "PYTHONPATH", "LANG", "LC_ALL")}
    try:
        done = subprocess.run([sys.executable, "-s", "-m", "grader.core.notebook_process"], input=data,
                              capture_output=True, timeout=WALL_SECONDS, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise NotebookError(_too_costly(f"more than {WALL_SECONDS} s")) from None
    if done.returncode != 0 or not done.stdout or len(done.stdout) > MAX_ANSWER_BYTES:
        raise NotebookError(_too_costly(f"more than {MEMORY_MB} MiB of memory or {CPU_SECONDS} s of CPU"))
    answer = json.loads(done.stdout)
    if "error" in answer:
        raise NotebookError(str(answer["error"]))
    return converted_from_dict(answer)


def _too_costly(what: str) -> str:
    return (f"converting the notebook to a module took {what} (a cell far too large to be parsed): "
            "split or shorten its code cells")


def main() -> int:
    """Limit this process, convert the notebook on stdin, print the result (or the error) as JSON."""
    memory = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    data = sys.stdin.buffer.read()
    try:
        answer = converted_to_dict(convert(data))
    except NotebookError as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        return 3
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
