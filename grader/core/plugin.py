"""The pytest plugin that turns an exercise's checks into CheckResults.

Checks get five fixtures: ``submission`` (the proxy of the student's module, in the sandbox),
``data`` (the exercise's data folder and seeded generators), ``credit`` (partial credit),
``leaderboard`` (metrics on the public and private splits, :mod:`grader.core.leaderboard`) and
``changed_in_place`` (whether the check's calls changed one of its arrays in place,
:mod:`grader.core.changed_arguments`; the check's arrays themselves never change).
Markers: ``@pytest.mark.points(n)`` on every check, ``@pytest.mark.visibility(level)``, and
``@pytest.mark.timeout(seconds)``: the check's calls into the submission may take ``seconds`` in all,
in place of the exercise's per-call ``call_time`` (the submission's ``wall_time`` still bounds them;
the marker reads like pytest-timeout's, whose ``method=`` is accepted and ignored).
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.core.changed_arguments import ChangedArguments
from grader.core.failure_where import own_frames, where_text
from grader.core.leaderboard import Leaderboard
from grader.core.remote import RemoteObject, SubmissionFault, WorkerSession
from grader.core.text import printable
from grader.core.values import BoardScore, CheckResult, Outcome, Visibility

MAX_PUBLIC_MESSAGE = 4000
MAX_INSTRUCTOR_MESSAGE = 20000


class Credit:
    """Partial credit for one check: the fraction of its points the check earns (default all)."""

    def __init__(self) -> None:
        self.fraction: float | None = None
        self.metric: float | None = None
        self.message = ""

    def set(self, fraction: float, message: str = "", metric: float | None = None) -> float:
        """Earn ``fraction`` (clipped to [0, 1]; NaN counts as 0) of the check's points."""
        value = float(fraction)
        self.fraction = 0.0 if math.isnan(value) else min(1.0, max(0.0, value))
        self.message = message
        self.metric = metric
        return self.fraction

    def linear(self, value: Any, *, zero_at: float, full_at: float, label: str = "metric") -> float:
        """Credit linear in ``value``: nothing at ``zero_at``, everything at ``full_at`` (either direction)."""
        metric = float(np.asarray(value, dtype=float))
        if zero_at == full_at:
            raise ValueError("credit.linear needs zero_at != full_at")
        fraction = (metric - zero_at) / (full_at - zero_at) if math.isfinite(metric) else 0.0
        got = self.set(fraction, metric=metric)
        self.message = (
            f"{label} = {metric:.4g}: {got:.0%} of the points "
            f"(none at {zero_at:.4g}, all at {full_at:.4g})"
        )
        return got


@dataclass(frozen=True)
class DataAccess:
    """What checks may read: the exercise's data folder and deterministic random generators."""

    exercise: str
    dir: Path
    secret: bytes | None = field(default=None, repr=False)  # the course secret (grader.core.secret)

    def rng(self, *key: object) -> np.random.Generator:
        """A generator seeded from the exercise id and ``key`` (same key, same numbers, every run),
        keyed with the course secret when grading: its numbers cannot be regenerated from the key."""
        message = repr((self.exercise, *key)).encode()
        if self.secret is None:
            digest = hashlib.sha256(message).digest()
        else:
            digest = hmac.new(self.secret, message, hashlib.sha256).digest()
        return np.random.default_rng(int.from_bytes(digest[:16], "big"))


@dataclass(frozen=True)
class CheckContext:
    """What the checks of one submission's run are given: the exercise and the submission's workers."""

    exercise: str
    data_dir: Path
    hidden_dir: Path
    session: WorkerSession
    secret: bytes | None = field(default=None, repr=False)
    #: the share of the evaluation rows on the leaderboard's public split
    public_fraction: float = 0.5


@dataclass(frozen=True)
class ChecksOutcome:
    """What one submission's run of the checks gave: a result per check, in collection order, and
    the problems on the judge's side (broken checks, checks that got no result)."""

    results: tuple[CheckResult, ...]
    problems: tuple[str, ...] = ()
    leaderboard: tuple[BoardScore, ...] = ()


def _marker_points(item: pytest.Item) -> float | None:
    marks = list(item.iter_markers("points"))
    if not marks or len(marks[0].args) != 1:
        return None
    value = marks[0].args[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return float(value)


def _marker_timeout(item: pytest.Item) -> float | str | None:
    """The check's ``timeout(seconds)``: seconds, None if it has none, or what is wrong with it."""
    mark = item.get_closest_marker("timeout")
    if mark is None:
        return None
    value = mark.args[0] if len(mark.args) == 1 else mark.kwargs.get("timeout")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e6:
        return f"{item.nodeid}: needs @pytest.mark.timeout(seconds) with one number > 0, got {mark.args!r}"
    return float(value)


#: The judge's own markers. Other unknown markers are allowed (as in a plain pytest run), but
#: one that is nearly one of these is a typo that would silently change a grade.
JUDGE_MARKERS = ("points", "visibility", "timeout")


def _misspelt_markers(item: pytest.Item) -> list[str]:
    registered = {line.split(":")[0].split("(")[0].strip() for line in item.config.getini("markers")}
    problems = []
    for mark in item.iter_markers():
        if mark.name in registered:
            continue
        near = difflib.get_close_matches(mark.name.lower(), JUDGE_MARKERS, n=1, cutoff=0.7)
        if near:
            problems.append(f"{item.nodeid}: unknown marker {mark.name!r}; did you mean {near[0]!r}?")
    return problems


def _visibility(item: pytest.Item, hidden_check: bool) -> Visibility:
    mark = item.get_closest_marker("visibility")
    if mark is None:
        return Visibility.AFTER_PUBLISHED if hidden_check else Visibility.VISIBLE
    return Visibility(mark.args[0])


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


class JudgePlugin:
    """Registered with a :class:`grader.core.suite.CheckSuite`'s pytest session.

    Collection fills ``order`` and ``collect_problems`` once; :meth:`start` binds the run of one
    submission, :meth:`finish` unbinds it and returns what the run gave.
    """

    def __init__(self) -> None:
        self.order: list[str] = []
        self.collect_problems: list[str] = []
        self._context: CheckContext | None = None
        self._results: dict[str, CheckResult] = {}
        self._faults: list[str] = []
        self._credits: dict[str, Credit] = {}
        self._started: dict[str, float] = {}
        self._board: Leaderboard | None = None

    @property
    def context(self) -> CheckContext:
        if self._context is None:
            raise RuntimeError("no submission is being graded")
        return self._context

    def start(self, context: CheckContext) -> None:
        self._context, self._results, self._credits, self._started = context, {}, {}, {}
        self._faults = []
        self._board = Leaderboard(context.exercise, context.secret, context.public_fraction)

    def finish(self) -> ChecksOutcome:
        """The results of the run that :meth:`start` began, in collection order."""
        results = tuple(self._results[node] for node in self.order if node in self._results)
        missing = [node for node in self.order if node not in self._results]
        problems = (*self._faults, *(("checks without a result: " + ", ".join(missing),) if missing else ()))
        board = self._board.results() if self._board is not None else ()
        self._context, self._results, self._credits, self._started = None, {}, {}, {}
        self._faults, self._board = [], None
        return ChecksOutcome(results, problems, board)

    # -- configuration --------------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): points this check is worth (required)")
        config.addinivalue_line(
            "markers", "visibility(level): visible, after_due_date, after_published or hidden"
        )
        config.addinivalue_line(
            "markers", "timeout(seconds): time for all of this check's calls into the submission"
        )

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.order.append(item.nodeid)
            if _marker_points(item) is None:
                self.collect_problems.append(f"{item.nodeid}: needs @pytest.mark.points(n) with one number n >= 0")
            mark = item.get_closest_marker("visibility")
            if mark is not None and (len(mark.args) != 1 or mark.args[0] not in {v.value for v in Visibility}):
                self.collect_problems.append(f"{item.nodeid}: unknown visibility {mark.args!r}")
            timeout = _marker_timeout(item)
            if isinstance(timeout, str):
                self.collect_problems.append(timeout)
            self.collect_problems += _misspelt_markers(item)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_problems.append(f"cannot collect {report.nodeid or 'the checks'}:\n{report.longreprtext}")

    # -- fixtures -------------------------------------------------------------------
    @pytest.fixture(scope="session")
    def submission(self) -> RemoteObject:
        """The student's module, running in the sandbox (one per submission: fixtures of any scope
        may use it, as the session is finished after every submission)."""
        return self.context.session.module()

    @pytest.fixture(scope="session")
    def data(self) -> DataAccess:
        """The exercise's data folder and seeded random generators."""
        return DataAccess(self.context.exercise, self.context.data_dir, self.context.secret)

    @pytest.fixture
    def credit(self, request: pytest.FixtureRequest) -> Credit:
        """Partial credit for the current check."""
        credit = Credit()
        self._credits[request.node.nodeid] = credit
        return credit

    @pytest.fixture
    def changed_in_place(self) -> ChangedArguments:
        """``changed_in_place(array)``: whether a call of this check into the submission changed
        ``array``, one of its arguments, in place (the array itself is never changed here)."""
        return self.context.session.changed_in_place

    @pytest.fixture
    def leaderboard(self) -> Leaderboard:
        """The submission's leaderboard metrics (computed here, on the trusted side)."""
        if self._board is None:
            raise RuntimeError("no submission is being graded")
        return self._board

    # -- results --------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)  # before the check's fixtures are set up: they may call the submission
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self._started[item.nodeid] = time.perf_counter()
        timeout = _marker_timeout(item)
        self.context.session.begin_check(item.nodeid, timeout if isinstance(timeout, float) else None)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        self.context.session.end_check()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        nodeid = item.nodeid
        if call.when == "teardown" or nodeid in self._results:
            return report
        if call.when == "setup" and report.passed:
            return report
        self._results[nodeid] = self._result(item, call, report)
        return report

    def _result(self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> CheckResult:
        hidden_check = Path(item.path).is_relative_to(self.context.hidden_dir)
        possible = _marker_points(item) or 0.0
        credit = self._credits.get(item.nodeid)
        earned = 0.0
        message = instructor = ""
        if report.skipped:
            outcome = Outcome.SKIPPED
            message = _first_line(str(call.excinfo.value)) if call.excinfo else "skipped"
        elif report.passed:
            fraction = 1.0 if credit is None or credit.fraction is None else credit.fraction
            earned = possible * fraction
            outcome = Outcome.PASSED if fraction >= 1.0 else Outcome.PARTIAL if fraction > 0 else Outcome.FAILED
            message = credit.message if credit else ""
        else:
            outcome = Outcome.FAILED
            message, instructor = self._failure_text(item, call, report, hidden_check)
            self._note_judge_fault(item, call)
        return CheckResult(
            id=item.nodeid,
            name=item.name,
            outcome=outcome,
            points_earned=round(earned, 6),
            points_possible=possible,
            visibility=_visibility(item, hidden_check) if _valid_visibility(item) else Visibility.HIDDEN,
            hidden_check=hidden_check,
            message=printable(message)[:MAX_PUBLIC_MESSAGE],
            instructor_message=printable(instructor)[:MAX_INSTRUCTOR_MESSAGE],
            metric=credit.metric if credit else None,
            seconds=time.perf_counter() - self._started.get(item.nodeid, time.perf_counter()),
        )

    def _note_judge_fault(self, item: pytest.Item, call: pytest.CallInfo[None]) -> None:
        """A check that failed because the trusted side cannot import what it needs (TensorFlow for
        a Keras check, say) is the judge's failure, never the student's zero. (The student's own
        ImportError comes back as SubmissionRaised, not as ImportError.)"""
        exc = call.excinfo.value if call.excinfo else None
        if isinstance(exc, ImportError) and not isinstance(exc, SubmissionFault):
            missing = f" {exc.name!r}" if exc.name else ""
            self._faults.append(f"{item.nodeid}: the checks cannot import{missing} in the judge's environment "
                                f"({type(exc).__name__}: {exc}); install it where the grader runs")

    @staticmethod
    def _failure_text(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport,
                      hidden_check: bool) -> tuple[str, str]:
        """(what the student may see, what the instructor sees: what failed, then where, in the check's
        own lines; never the check's arguments, which say nothing of the failure)."""
        instructor = _instructor_text(item, call, report)
        exc = call.excinfo.value if call.excinfo else None
        if isinstance(exc, SubmissionFault):
            return str(exc), instructor
        if exc is None:
            return "failed", instructor
        if isinstance(exc, AssertionError):
            text = str(exc)
            if hidden_check:
                return _first_line(_own_message(text)) or "a hidden check failed", instructor
            return public_assertion(text) or "assertion failed", instructor
        first = _first_line(str(exc))
        return f"{type(exc).__name__}: {first}" if first else type(exc).__name__, instructor


def _instructor_text(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> str:
    """What failed (pytest's crash message: the exception and the author's message), then where, in
    pytest's short style: the check's own frames (file, line, source, the assertion's explanation),
    never the check's arguments (``submission = <module object …>``), the judge's proxy or pytest.
    A failure outside the exercise's files (the ``submission`` fixture: an import that failed) is
    its message alone."""
    if call.excinfo is None:
        return report.longreprtext
    headline = call.excinfo.exconly(tryshort=True).strip()
    own = own_frames(call.excinfo.tb, Path(item.config.rootpath))
    if not own:
        return headline or report.longreprtext
    try:
        where = where_text(call.excinfo, own)
    except Exception:  # pytest's own report stays if the short form cannot be made
        where = report.longreprtext
    return f"{headline}\n\n{where}" if headline else where


_INTERNALS = re.compile(r" at 0x[0-9a-fA-F]+|<(function|module|bound method|built-in|class|object) ")


def _own_message(text: str) -> str:
    """The check author's own message: what precedes pytest's explanation ("assert …", "+  where …")."""
    own: list[str] = []
    for line in text.splitlines():
        if line.startswith("assert ") or line.lstrip().startswith(("+  where", "+ where", "Use -v")):
            break
        own.append(line)
    return "\n".join(own).strip()


def public_assertion(text: str, max_lines: int = 8) -> str:
    """A public check's failure as a student should read it: the author's message; else pytest's
    explanation with the values compared, never its introspection of the judge's objects (a
    function's address, a module's repr) or its hints ("Use -v to get more diff")."""
    own = _own_message(text)
    if own:
        return own
    kept = [line for line in text.splitlines()
            if line.strip() and not _INTERNALS.search(line) and not line.lstrip().startswith("Use -v")]
    return "\n".join(kept[:max_lines]).strip()


def _valid_visibility(item: pytest.Item) -> bool:
    mark = item.get_closest_marker("visibility")
    return mark is None or (len(mark.args) == 1 and mark.args[0] in {v.value for v in Visibility})
