"""The sandboxed worker: imports the submission and serves calls from the grader.

Runs as ``python -s -P -B -c BOOTSTRAP LIB SUBMISSION MODULE_NAME NAMES_JSON RLIMITS_JSON``. The protocol uses
the process's original stdin/stdout, which are moved to private descriptors before any student
code runs; the student's stdout and stderr both go to file descriptor 2, which the sandbox
captures (size-capped) apart from the channel. What is not the student's is kept out of it: the
start-up logs of the exercise's preloaded libraries (NAMES_JSON is ``{"names": [...], "seed": ...,
"preload": [...]}``) and what a library's own callable prints when the checks call it (a Keras
model's ``predict`` progress bar).

This module runs next to untrusted code: nothing here is trusted by the grader, which
validates every frame it reads.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import resource
import sys
import time
import traceback
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from harness import import_guard
from harness.confine import ConfineError, confine
from harness.in_place import PassedArray, changed_in_place, passed_arrays
from harness.protocol import (
    ChannelClosed,
    Decoder,
    Encoder,
    FrameReader,
    HandleRef,
    ProtocolError,
    pack,
    parse_frame,
    write_all,
)
from harness.seeding import Seeder, parse_seed

MAX_MESSAGE = 4000
MAX_TRACEBACK = 8000


class Worker:
    """Holds the submission's objects and answers requests about them."""

    def __init__(self, out_fd: int, seeder: Seeder) -> None:
        self.out_fd = out_fd
        self.objects: dict[int, Any] = {}
        self.next_id = 0
        self.seeder = seeder

    # -- handles --------------------------------------------------------------------
    def register(self, obj: Any) -> HandleRef:
        hid = self.next_id
        self.next_id += 1
        self.objects[hid] = obj
        return HandleRef(hid, _type_name(obj), callable(obj))

    def _other(self, value: Any, encoder: Encoder, depth: int) -> Any:
        plain = _as_builtin(value)
        if plain is not None:
            return encoder.encode(plain, depth)
        ref = self.register(value)
        return {"t": "handle", "id": ref.id, "type": ref.type_name, "callable": ref.callable}

    def resolve(self, hid: int) -> Any:
        if hid not in self.objects:
            raise ProtocolError(f"unknown handle {hid}")
        return self.objects[hid]

    # -- messages -------------------------------------------------------------------
    def send(self, header: dict[str, Any], values: dict[str, Any] | None = None) -> None:
        write_all(self.out_fd, pack(header, values or {}, Encoder(on_other=self._other)))

    def send_error(self, exc: BaseException) -> None:
        self.send({"kind": "raised", "error": describe_exception(exc)})

    def serve(self, reader: FrameReader) -> None:
        while True:
            try:
                header, buffers = parse_frame(reader.read())
            except ChannelClosed:
                return
            started = time.perf_counter()
            passed: list[PassedArray] = []
            try:
                result = self.handle(header, Decoder(buffers).with_refs(self.resolve), buffers, passed)
                changed = changed_in_place(passed)
            except BaseException as exc:  # student code may raise anything, SystemExit too
                _flush()
                self.send_error(exc)
                continue
            _flush()
            seconds = time.perf_counter() - started
            values = {"value": result, "changed": changed} if changed else {"value": result}
            try:
                self.send({"kind": "result", "seconds": seconds}, values)
            except BaseException as exc:  # encoding runs student code (__index__, subclasses…)
                self.send_error(exc)

    def handle(self, header: dict[str, Any], decoder: Decoder, buffers: list[bytes],
               passed: list[PassedArray]) -> Any:
        """Answer one request; a call's array arguments go to ``passed`` (see ``harness.in_place``)."""
        op = header.get("op")
        target = self.resolve(int(header.get("target", -1)))
        if op == "getattr":
            return getattr(target, str(header["name"]))
        if op == "call":
            args_tree = header.get("args", [])
            kwargs_tree = header.get("kwargs", {"t": "dict", "v": []})
            args = decoder.decode(args_tree)
            kwargs = decoder.decode(kwargs_tree)
            if type(args) is list and type(kwargs) is dict:
                passed.extend(passed_arrays(args_tree, kwargs_tree, args, kwargs, buffers))
            self.seeder.seed_new()  # what the submission imported since: seeded before it runs
            if defined_by_submission(target):
                return target(*args, **kwargs)
            with quiet():  # a library's own method the checks call (a Keras model's predict): not the student's output
                return target(*args, **kwargs)
        if op == "getitem":
            return target[decoder.decode(header.get("key"))]
        if op == "len":
            return len(target)
        raise ProtocolError(f"unknown operation {op!r}")


def defined_by_submission(target: Any) -> bool:
    """Whether calling ``target`` runs the student's own code first: a function, class or method
    of the submission, not one of a library's (whatever it calls in turn)."""
    func = getattr(target, "__func__", target)  # a bound method: its function
    if not isinstance(func, type) and not hasattr(func, "__code__"):
        func = type(func)  # a callable instance: its class
    try:
        code = getattr(func, "__code__", None)
        if code is not None and _SUBMISSION_DIR and str(code.co_filename).startswith(_SUBMISSION_DIR + os.sep):
            return True
        return bool(_MODULE_NAME) and getattr(func, "__module__", None) == _MODULE_NAME
    except BaseException:
        return True


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Send what is written to file descriptors 1 and 2 (Python's and C's) to /dev/null meanwhile."""
    _flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        _flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def preload_quietly(modules: list[str]) -> None:
    """Import the exercise's heavy libraries before the submission, their start-up logs discarded
    (as a warm zygote does): what the student sees printed is what their code printed."""
    for name in modules:
        with quiet(), contextlib.suppress(Exception):  # a failure shows again when the submission imports it
            importlib.import_module(name)


def _as_builtin(value: Any) -> Any:
    """Convert subclasses of plain builtins (namedtuple, IntEnum, OrderedDict…) to the base type."""
    bases: tuple[Any, ...] = (bool, int, float, str, bytes, tuple, list, dict)
    for base in bases:
        if isinstance(value, base):
            try:
                return base(value)
            except Exception:
                return None
    return None


def _type_name(obj: Any) -> str:
    try:
        return str(type(obj).__qualname__)[:200]
    except Exception:
        return "object"


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)[:MAX_MESSAGE]
    except BaseException:
        return "<unprintable exception>"


def describe_exception(exc: BaseException) -> dict[str, str]:
    """The exception as plain text: type name, message and the student's part of the traceback."""
    try:
        frames = [
            f
            for f in traceback.extract_tb(exc.__traceback__)
            if not f.filename.startswith((_HARNESS_DIR, "<frozen"))
        ]
        lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
        text = "".join(lines)
        if _SUBMISSION_DIR:
            text = text.replace(_SUBMISSION_DIR + os.sep, "")
    except BaseException:
        text = ""
    if len(text) > MAX_TRACEBACK:
        text = "…" + text[-MAX_TRACEBACK:]
    return {"type": _type_name(exc), "message": _safe_str(exc), "traceback": text}


_HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
_SUBMISSION_DIR = ""
_MODULE_NAME = ""
SETUP_FAILED = 125


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()


def _take_channel() -> tuple[int, int]:
    """Move the protocol to private descriptors (3 and 4), close every other inherited one (a
    sandbox's set-up pipes), and point the student's stdio elsewhere."""
    proto_in, proto_out = 3, 4
    os.dup2(0, proto_in, inheritable=False)  # never passed on to the student's own subprocesses
    os.dup2(1, proto_out, inheritable=False)
    os.closerange(proto_out + 1, 1 << 16)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - lives for the whole process
    sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    return proto_in, proto_out


def import_submission(path: str, module_name: str) -> ModuleType:
    """Import the submission file as ``module_name``."""
    global _SUBMISSION_DIR, _MODULE_NAME
    directory = os.path.dirname(os.path.abspath(path))
    _SUBMISSION_DIR, _MODULE_NAME = directory, module_name
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _import_failure(exc: BaseException) -> str:
    if isinstance(exc, (SyntaxError, UnicodeDecodeError)):
        return "syntax_error"
    if isinstance(exc, ValueError) and "null bytes" in _safe_str(exc):
        return "syntax_error"
    return "crashed"


def apply_rlimits(limits: dict[str, int]) -> None:
    """Lower this process's resource limits (the grader's Limits) before student code runs."""
    names = {"cpu": resource.RLIMIT_CPU, "fsize": resource.RLIMIT_FSIZE, "core": resource.RLIMIT_CORE,
             "nofile": resource.RLIMIT_NOFILE, "nproc": resource.RLIMIT_NPROC, "stack": resource.RLIMIT_STACK}
    for key, value in limits.items():
        which = names[key]
        soft, hard = value, value
        if key == "cpu":
            # the limit is the submission's own: on top of what starting the worker already used (RLIMIT_CPU
            # counts the whole process; a slow machine can spend over a second before this point)
            times = os.times()
            soft = hard = value + int(times.user + times.system + 0.999)
            hard += 1  # SIGXCPU first, SIGKILL a second later
        _, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, old_hard), min(hard, old_hard)
        resource.setrlimit(which, (soft, hard))


def run_on(cores: object) -> None:
    """Run on ``cores`` (a list of core numbers; None: where the worker was started): the grading
    process that started it may be pinned to fewer (``grader.course.core_slots``), the submission's
    own work may use every core the grader may. A placement, not a limit: nothing fails here."""
    if not isinstance(cores, list) or not cores or not all(type(core) is int and core >= 0 for core in cores):
        return
    with contextlib.suppress(AttributeError, OSError, ValueError, OverflowError):
        os.sched_setaffinity(0, cores)


def main(argv: list[str]) -> int:
    """``PATH MODULE NAMES_JSON RLIMITS_JSON [CONFINE_JSON]``; exit status 125 when the worker
    could not isolate itself (``harness.confine``). The first frame, "isolated", says it could: the
    grader treats a worker lost before it as the judge's failure, never the student's."""
    path, module_name, names_json, limits_json = argv[:4]
    if len(argv) > 4:
        try:
            confine(json.loads(argv[4]))
        except (ConfineError, OSError, ValueError) as exc:
            os.write(2, f"mljudge worker setup: {type(exc).__name__}: {exc}\n".encode(errors="replace")[:2000])
            return SETUP_FAILED
    proto_in, proto_out = _take_channel()
    # {"names": entry points, "seed": the global generators' seed, "preload": modules to import
    # first, "importable": what the import guard lets through, "cores": where to run} (grader.sandbox.worker_env)
    options = json.loads(names_json)
    run_on(options.get("cores"))
    preload_quietly([str(m) for m in options.get("preload", [])])
    if "importable" in options:
        import_guard.install([str(m) for m in options["importable"]], module_name)
    seeder = Seeder(parse_seed(options.get("seed")))
    names = options.get("names", [])
    apply_rlimits(json.loads(limits_json))
    worker = Worker(proto_out, seeder)
    seeder.seed_new()  # numpy and the preloaded libraries, the same in every backend
    worker.send({"kind": "isolated"})  # from here on, what fails is the submission's doing
    try:
        module = import_submission(path, module_name)
    except BaseException as exc:
        _flush()
        worker.send({"kind": "import_failed", "category": _import_failure(exc), "error": describe_exception(exc)})
        return 0
    _flush()
    seeder.seed_new()  # what the submission imported
    missing = [name for name in names if not hasattr(module, name)]
    worker.register(module)  # handle 0 is the module itself
    worker.send({"kind": "ready", "missing": missing})
    worker.serve(FrameReader(proto_in))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
