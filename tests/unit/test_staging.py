"""The harness a sandbox is given comes with its bytecode for this interpreter, still valid."""

from __future__ import annotations

import compileall
import struct
import sys
from pathlib import Path

from grader.sandbox.staging import _other_than_this_bytecode, stage_harness
from grader.sandbox.worker_env import HARNESS_ROOT


def test_the_staged_bytecode_matches_its_staged_source(tmp_path: Path) -> None:
    """Each staged ``.pyc`` records the time and size of the staged ``.py`` beside it, so the
    worker's interpreter reads it instead of compiling (a copy with new times would be ignored)."""
    assert compileall.compile_dir(HARNESS_ROOT / "harness", quiet=1, force=False)  # what `make` does
    lib = stage_harness(tmp_path / "lib")
    tag = sys.implementation.cache_tag
    compiled = sorted((lib / "harness" / "__pycache__").glob(f"*.{tag}.pyc"))
    assert {p.name.split(".")[0] for p in compiled} >= {"worker", "protocol", "zygote", "confine"}
    for pyc in compiled:
        source = lib / "harness" / f"{pyc.name.split('.')[0]}.py"
        flags, mtime, size = struct.unpack("<III", pyc.read_bytes()[4:16])
        stat = source.stat()
        assert flags == 0 and mtime == int(stat.st_mtime) & 0xFFFFFFFF and size == stat.st_size & 0xFFFFFFFF, pyc


def test_only_this_interpreters_bytecode_is_staged() -> None:
    tag = sys.implementation.cache_tag
    names = [f"worker.{tag}.pyc", "worker.cpython-312.pyc", "worker.pypy39.pyc", "notes.txt"]
    assert _other_than_this_bytecode("/x/harness/__pycache__", names) == names[1:]
    assert _other_than_this_bytecode("/x/harness", ["worker.py", "__pycache__"]) == []
