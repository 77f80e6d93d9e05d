"""Many notebooks converted in one bounded process: the grader's own conversion, batched.

A conversion process (:mod:`grader.core.notebook_process`) spends about a second importing nbformat
and a few milliseconds per notebook; a class of 2,000 notebooks one process each would take half an
hour. Here one process (``python -m grader.similarity.notebooks``), with the same address-space
limit and a CPU limit that grows with the batch, converts a batch and writes one JSON line per
notebook as it goes. If it dies (a hostile notebook exhausted a limit), the answers already written
are kept, the notebook it died on is converted alone by :func:`convert_bounded` (which gives its
message), and a new process takes the rest.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from grader.core.notebook import NotebookError, convert, read_notebook_file
from grader.core.notebook_process import CPU_SECONDS, MEMORY_MB, WALL_SECONDS, convert_bounded

#: A batch holds at most this many notebooks, and at most this many bytes of them.
BATCH_FILES = 200
BATCH_BYTES = 64 * 1024 * 1024
#: CPU seconds a batch may use beyond :data:`CPU_SECONDS`, per notebook.
CPU_PER_NOTEBOOK = 0.2


def _batches(items: Sequence[tuple[Path, bytes]]) -> list[list[tuple[Path, bytes]]]:
    out: list[list[tuple[Path, bytes]]] = [[]]
    size = 0
    for item in items:
        if out[-1] and (len(out[-1]) >= BATCH_FILES or size + len(item[1]) > BATCH_BYTES):
            out.append([])
            size = 0
        out[-1].append(item)
        size += len(item[1])
    return [batch for batch in out if batch]


def _run_batch(batch: Sequence[tuple[Path, bytes]]) -> list[str | NotebookError]:
    """The answers of one process for the first notebooks of ``batch`` (all of them unless it died)."""
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "PYTHONPATH", "LANG", "LC_ALL")}
    payload = "\n".join(base64.b64encode(data).decode("ascii") for _, data in batch).encode("ascii")
    wall = WALL_SECONDS + CPU_PER_NOTEBOOK * len(batch) * 3
    try:
        done = subprocess.run([sys.executable, "-s", "-m", "grader.similarity.notebooks", str(len(batch))],
                              input=payload, capture_output=True, timeout=wall, env=env, check=False)
        output = done.stdout
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout or b""
    answers: list[str | NotebookError] = []
    for line in output.splitlines()[:len(batch)]:
        try:
            answer = json.loads(line)
        except ValueError:
            break  # a line cut short by the process's end
        answers.append(NotebookError(str(answer["error"])) if "error" in answer else str(answer["source"]))
    return answers


def convert_many(paths: Sequence[Path], done: Callable[[int], None] | None = None) -> dict[Path, str | NotebookError]:
    """The module text of each notebook (or why it is not one), converted in as few processes as can be;
    ``done(n)`` is told each time ``n`` more are converted."""
    results: dict[Path, str | NotebookError] = {}
    readable: list[tuple[Path, bytes]] = []
    for path in paths:
        try:
            readable.append((path, read_notebook_file(path)))
        except NotebookError as exc:
            results[path] = exc
    if done is not None and results:
        done(len(results))
    for batch in _batches(readable):
        while batch:
            answers = _run_batch(batch)
            for (path, _), answer in zip(batch, answers, strict=False):
                results[path] = answer
            converted = len(answers)
            batch = batch[converted:]
            if batch:  # the process died on batch[0]: convert it alone, for its own message
                path = batch.pop(0)[0]
                try:
                    results[path] = convert_bounded(path).source
                except NotebookError as exc:
                    results[path] = exc
                converted += 1
            if done is not None:
                done(converted)
    return results


def main() -> int:
    """Limit this process, then convert the base64 notebooks on stdin, one JSON line out for each."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    memory = MEMORY_MB * 1024 * 1024
    cpu = int(CPU_SECONDS + CPU_PER_NOTEBOOK * count)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    for line in sys.stdin.buffer.read().splitlines():
        try:
            answer: dict[str, object] = {"source": convert(base64.b64decode(line)).source}
        except NotebookError as exc:
            answer = {"error": str(exc)}
        except MemoryError:
            return 3
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
