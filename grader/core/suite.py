"""An exercise's checks, configured and collected by pytest once, then run once per submission.

Starting pytest and collecting the checks (importing them and what they import) costs about as
much as grading a small submission. A :class:`CheckSuite` pays it once per grader process: it
drives pytest's own session protocol (configure, collect, ``pytest_runtest_protocol`` for every
item, finish) itself, and runs the collected items again for each submission. Everything a
submission can leave behind is torn down after its run — the last item is run with
``nextitem=None``, so module- and session-scoped fixtures are finalised and set up afresh for the
next submission, exactly as in a new session.

What would stay across submissions is the check modules' own globals. A check that keeps a
submission's result there (a module-level dict filled by one check and read by the next, a rebound
global) would hand it to the next submission, for example when that submission's check fails before
storing its own. So after each run the suite compares the check modules' globals with what they
were when collected (each name's object and, for dicts, lists and sets, the objects they hold); a
suite whose checks changed them is thrown away and the next submission gets freshly imported checks.
Checks that only cache *trusted* values in a function (``functools.cache``) keep the suite.
pytest is pinned; the session driving below follows ``_pytest.main.wrap_session``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import sys
import threading
import traceback
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from _pytest.config import _prepareconfig
from _pytest.main import Session
from _pytest.nodes import Node

from grader.core.plugin import CheckContext, ChecksOutcome, JudgePlugin

_PYTEST_ENV_DROP = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DEBUG")
#: Suites kept alive per grader process (one per exercise and scope in practice).
MAX_SUITES = 8


class SuiteStopped(Exception):
    """A check stopped the whole session (``pytest.exit``): the suite cannot be trusted any more."""


@contextlib.contextmanager
def _pytest_environment() -> Iterator[None]:
    """No plugin autoload, no options from the environment, while pytest is configured."""
    saved = {key: os.environ.get(key) for key in (*_PYTEST_ENV_DROP, "PYTEST_DISABLE_PLUGIN_AUTOLOAD")}
    for key in _PYTEST_ENV_DROP:
        os.environ.pop(key, None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _forget_check_modules(rootdir: Path) -> Iterator[None]:
    """Drop the check modules an import imported, before and after it.

    pytest's importlib mode names a module after its path below the rootdir
    (``checks.public.test_public`` in every exercise) and reuses whatever ``sys.modules`` holds
    under that name: without this, collecting a second exercise in the same process would find
    the first exercise's checks. Collected items keep their own module objects.
    """
    root = Path(rootdir).resolve()

    def drop(names: set[str]) -> None:
        for name in names:
            module = sys.modules.get(name)
            if name.split(".")[0] in {"checks", "conftest"} or (module is not None and _below(module, root)):
                sys.modules.pop(name, None)

    drop({n for n in sys.modules if n.split(".")[0] in {"checks", "conftest"}})
    before = set(sys.modules)
    try:
        yield
    finally:
        drop(set(sys.modules) - before)


def pytest_args(paths: list[Path], rootdir: Path) -> list[str]:
    """pytest's arguments: the exercise's own check folders only, no ini file, no cache."""
    return [
        *(str(p) for p in paths),
        f"--rootdir={rootdir}",
        f"--confcutdir={rootdir}",
        "-c", os.devnull,
        "--import-mode=importlib",
        "-p", "no:cacheprovider",
        "-p", "no:terminal",
        "-p", "no:stepwise",
        "-p", "no:faulthandler",
        # a session that outlives one call must not swap sys.stdout or the root logger's handlers
        # under its caller; what checks print is discarded by CheckSuite.run instead
        "-p", "no:capture",
        "-p", "no:logging",
        "-o", "python_files=test_*.py",
        "-o", "python_functions=test_*",
    ]


class CheckSuite:
    """One exercise's checks in a live pytest session; :meth:`run` grades one submission."""

    def __init__(self, paths: list[Path], rootdir: Path) -> None:
        self.rootdir = rootdir
        self.plugin = JudgePlugin()
        self._lock = threading.Lock()
        self._closed = False
        cwd = os.getcwd()
        with _pytest_environment(), _forget_check_modules(rootdir):
            self.config = _prepareconfig(pytest_args(paths, rootdir), plugins=[self.plugin])
            # pytest's own report of a failure in its cheapest form, the exception's lines (no source read
            # for any frame; the terminal plugin that owns --tb is off): the instructor's text is made
            # from the check's own frames (grader.core.failure_where)
            self.config.option.tbstyle = "line"
            self.session = Session.from_config(self.config)
            try:
                self.config._do_configure()
                self.config.hook.pytest_sessionstart(session=self.session)
                self.config.hook.pytest_collection(session=self.session)
            except BaseException:
                self.config._ensure_unconfigure()
                raise
            finally:
                os.chdir(cwd)
        self.items: list[pytest.Item] = list(self.session.items)
        self._modules = _check_modules(self.items, rootdir)
        self._collected_state = globals_state(self._modules)
        self.dirty = False  # the checks changed their modules' globals: do not reuse this suite

    def run(self, context: CheckContext) -> ChecksOutcome:
        """Run every check for the submission behind ``context.session``.

        A check that stops the session (``pytest.exit``) or a failure inside pytest is a problem of
        the outcome, and makes the suite ``dirty``, as checks that changed their modules' globals do.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("this check suite is closed")
            if self.plugin.collect_problems:
                return ChecksOutcome((), (*self.plugin.collect_problems, _without_result(self.plugin.order)))
            self.plugin.start(context)
            cwd = os.getcwd()
            problems: tuple[str, ...] = ()
            try:
                with contextlib.redirect_stdout(_Discard()), contextlib.redirect_stderr(_Discard()):
                    self._run_items()
            except SuiteStopped as exc:
                problems, self.dirty = (str(exc),), True
            except Exception:
                problems, self.dirty = ("internal error while grading:\n" + traceback.format_exc(),), True
            finally:
                outcome = self.plugin.finish()
                os.chdir(cwd)
                self.dirty = self.dirty or not same_state(self._collected_state, globals_state(self._modules))
            return dataclasses.replace(outcome, problems=problems + outcome.problems)

    def _run_items(self) -> None:
        session = self.session
        session.shouldstop = session.shouldfail = False
        completed = False
        try:
            for index, item in enumerate(self.items):
                nextitem = self.items[index + 1] if index + 1 < len(self.items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            completed = True
        except pytest.exit.Exception as exc:
            raise SuiteStopped(f"a check called pytest.exit: {exc.msg}") from None
        finally:
            if not completed:  # finalise whatever an interrupted run left set up
                with contextlib.suppress(Exception):
                    session._setupstate.teardown_exact(None)

    def close(self) -> None:
        """Finish the pytest session (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self.config.hook.pytest_sessionfinish(session=self.session, exitstatus=pytest.ExitCode.OK)
            finally:
                self.config._ensure_unconfigure()


def _without_result(order: list[str]) -> str:
    return "checks without a result: " + ", ".join(order)


def _check_modules(items: list[pytest.Item], rootdir: Path) -> list[ModuleType]:
    """The check modules and conftest files the collected items come from, and the exercise's
    modules they import."""
    root = Path(rootdir).resolve()
    found: dict[int, ModuleType] = {}
    for item in items:
        node: Node | None = item
        while node is not None:
            module = getattr(node, "obj", None) if isinstance(node, pytest.Module) else None
            if isinstance(module, ModuleType):
                found[id(module)] = module
            node = node.parent
    for plugin in items[0].config.pluginmanager.get_plugins() if items else ():
        if isinstance(plugin, ModuleType) and _below(plugin, root):
            found[id(plugin)] = plugin
    todo = list(found.values())
    while todo:  # and the exercise's own helper modules they import
        for value in list(vars(todo.pop()).values()):
            if isinstance(value, ModuleType) and id(value) not in found and _below(value, root):
                found[id(value)] = value
                todo.append(value)
    return list(found.values())


def _below(module: object, root: Path) -> bool:
    """Whether ``module`` was loaded from a file under ``root`` (the exercise's folder)."""
    spec = getattr(module, "__spec__", None)
    origin = getattr(module, "__file__", None) or getattr(spec, "origin", None)
    return isinstance(origin, str) and Path(origin).resolve().is_relative_to(root)


def globals_state(modules: list[ModuleType]) -> list[object]:
    """What the modules' globals are: each name and its object and, for a dict, list or set, the
    objects it holds (compare with :func:`same_state`). Holding them keeps their ids from being reused."""
    state: list[object] = []
    for module in modules:
        for name, value in list(vars(module).items()):
            if name.startswith("__"):
                continue
            state += (module, name, value)
            if isinstance(value, dict):
                state += [v for pair in list(value.items()) for v in pair]
            elif isinstance(value, (list, set)):
                state += list(value)
    return state


def same_state(before: list[object], after: list[object]) -> bool:
    """Whether two :func:`globals_state` lists hold the very same objects."""
    if len(before) != len(after):
        return False
    return all(a is b or (type(a) is str and a == b) for a, b in zip(before, after, strict=True))


class _Discard(io.TextIOBase):
    """A text stream that keeps nothing (what checks print on the trusted side)."""

    def write(self, text: str) -> int:
        return len(text)

    def writable(self) -> bool:
        return True


def checks_digest(paths: list[Path]) -> str:
    """sha256 over every file under the check folders: a suite is reused only while it is unchanged."""
    digest = hashlib.sha256()
    for folder in paths:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class SuiteCache:
    """Live suites of this process, keyed by check folders and their content; least recently used go."""

    def __init__(self, size: int = MAX_SUITES) -> None:
        self.size = size
        self.collections = 0  # suites collected by this process (a suite dropped is collected again)
        self._suites: OrderedDict[tuple[str, ...], CheckSuite] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, paths: list[Path], rootdir: Path) -> CheckSuite:
        """The live suite for these check folders, collected now if new or changed."""
        key = (str(rootdir.resolve()), *(str(p.resolve()) for p in paths), checks_digest(paths))
        with self._lock:
            suite = self._suites.get(key)
            if suite is not None and not suite.dirty:
                self._suites.move_to_end(key)
                return suite
            if suite is not None:  # its checks kept state in their globals: import them afresh
                del self._suites[key]
                with contextlib.suppress(Exception):
                    suite.close()
            suite = CheckSuite(paths, rootdir)
            self.collections += 1
            self._suites[key] = suite
            while len(self._suites) > self.size:
                _, old = self._suites.popitem(last=False)
                with contextlib.suppress(Exception):
                    old.close()
            return suite

    def run(self, paths: list[Path], rootdir: Path, context: CheckContext) -> ChecksOutcome:
        """Run the checks of these folders for one submission. Never raises: checks that cannot be
        collected, or a failure of pytest or the judge, are problems of the outcome. A suite left
        ``dirty`` is dropped, so the next submission gets freshly imported checks."""
        suite: CheckSuite | None = None
        try:
            suite = self.get(paths, rootdir)
            outcome = suite.run(context)
        except Exception:
            outcome = ChecksOutcome((), ("internal error while grading:\n" + traceback.format_exc(),))
            if suite is not None:
                suite.dirty = True
        if suite is not None and suite.dirty:
            self._discard(suite)
        return outcome

    def _discard(self, suite: CheckSuite) -> None:
        """Forget and close ``suite`` (after it failed in a way that may have left state behind)."""
        with self._lock:
            for key in [k for k, s in self._suites.items() if s is suite]:
                del self._suites[key]
        with contextlib.suppress(Exception):
            suite.close()

    def clear(self) -> None:
        with self._lock:
            suites = list(self._suites.values())
            self._suites.clear()
        for suite in suites:
            with contextlib.suppress(Exception):
                suite.close()


#: This process's suites (each batch worker process has its own).
SUITES = SuiteCache()
