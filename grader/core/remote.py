"""The trusted side of the protocol: the ``submission`` proxy, remote handles and time budgets.

A ``WorkerSession`` owns the workers of one submission's grading: it starts one lazily,
sends each request with a per-call deadline (bounded by the submission's whole wall-time
budget), and after a time limit or crash starts a fresh worker for the next check. What the
submission did wrong is recorded as an event (a verdict and a reason), never raised as a
judge error; a failure of the sandbox itself is recorded in ``judge_faults`` (and raised as
``SandboxError``), so the grade is a judge error whatever the check did with the exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from grader.core.allowed import forbidden_import
from grader.core.changed_arguments import ChangedArguments
from grader.core.values import Limits, Verdict, WorkerExit
from grader.sandbox.base import Sandbox, SandboxError, WorkerProcess, WorkerSpec
from harness.protocol import (
    ChannelClosed,
    ChannelTimeout,
    Decoder,
    DecodeTimeout,
    Encoder,
    HandleRef,
    ProtocolError,
    pack,
    parse_frame,
)

T = TypeVar("T")

#: How long a worker may take to isolate itself (interpreter start, numpy, namespaces), at least.
ISOLATION_TIME = 30.0


class SubmissionFault(Exception):
    """Something the submission did made a call fail; the message is meant for the student."""


class SubmissionRaised(SubmissionFault):
    """Student code raised an exception; it came back as data."""

    def __init__(self, where: str, type_name: str, message: str, traceback: str) -> None:
        self.where, self.type_name, self.student_message, self.traceback = where, type_name, message, traceback
        text = f"{where} raised {type_name}: {message}".rstrip(": ")
        if type_name == "NotImplementedError":
            text = f"{where} is not implemented yet ({message or 'NotImplementedError'})"
        if traceback:
            text += "\n" + traceback.rstrip()
        super().__init__(text)


class SubmissionUnavailable(SubmissionFault):
    """The submission could not answer: time limit, crash, import failure, protocol violation."""


@dataclass(frozen=True)
class Event:
    """Something the submission did that decides the verdict."""

    verdict: Verdict
    reason: str


class WorkerSession:
    """Workers for one submission, started lazily and restarted after a failure."""

    def __init__(self, sandbox: Sandbox, spec: WorkerSpec) -> None:
        self.sandbox = sandbox
        self.spec = spec
        self.limits: Limits = spec.limits
        self.events: list[Event] = []
        self.judge_faults: list[str] = []  # the sandbox failed (not the submission): a judge error
        self.exits: list[WorkerExit] = []
        self.student_seconds = 0.0
        self.generation = 0
        self._worker: WorkerProcess | None = None
        self._fatal: str | None = None
        self._budget_used = 0.0
        self._missing: tuple[str, ...] = ()
        self._last_timeout = 0.0
        self._check_deadline: float | None = None  # a check's own time budget (its timeout marker)
        self._check_seconds = 0.0
        self._check = ""  # the check being run, for the judge faults' notes
        self._deadline = 0.0  # when the current call's time is up, reading and decoding its reply included
        self.changed_in_place = ChangedArguments()  # the current check's arrays its calls changed

    def begin_check(self, check: str, seconds: float | None = None) -> None:
        """A check starts. It gets ``seconds`` in all for its calls into the submission, in place of
        the exercise's per-call limit (``None``: that limit). The submission's wall-time budget still
        bounds everything."""
        self._check = check
        self.changed_in_place.clear()
        self._check_seconds = seconds or 0.0
        self._check_deadline = None if seconds is None else time.monotonic() + seconds

    def end_check(self) -> None:
        """The current check is over: calls are back under the exercise's per-call limit."""
        self.begin_check("", None)

    def _recording_faults(self, action: Callable[[], T]) -> T:
        """Run ``action``; a SandboxError it raises is recorded as a judge fault, then raised on."""
        try:
            return action()
        except SandboxError as exc:
            where = f" during {self._check}" if self._check else ""
            self.judge_faults.append(f"the sandbox failed{where}: {exc}")
            raise

    # -- lifecycle ------------------------------------------------------------------
    def _remaining(self) -> float:
        """What is left of the submission's wall-time budget (time spent waiting for it)."""
        return self.limits.wall_time - self._budget_used

    def _ensure_worker(self) -> WorkerProcess:
        if self._worker is not None:
            return self._worker
        if self._fatal is not None:
            raise SubmissionUnavailable(self._fatal)
        if self._remaining() <= 0:
            raise SubmissionUnavailable(
                f"the submission used up its time limit ({self.limits.wall_time:g} s in all); this check was not run"
            )
        if self.generation > self.limits.max_restarts:
            raise SubmissionUnavailable("the submission failed too many times; this check was not run")
        worker = self.sandbox.start(self.spec)  # SandboxError propagates: a judge error
        self._worker = worker
        self.generation += 1
        self._await_isolated(worker)
        header, _ = self._round_trip(worker, None, "importing the submission", self.limits.start_time)
        if header.get("kind") == "import_failed":
            self._import_failed(header)
        elif header.get("kind") == "ready":
            missing = header.get("missing")
            if type(missing) is not list or any(type(m) is not str for m in missing):
                self._violation("malformed ready message")
            if missing and not self._missing:
                self._missing = tuple(str(m)[:100] for m in missing)
                self.events.append(Event(Verdict.MISSING_ENTRY_POINT, "does not define " + ", ".join(self._missing)))
        else:
            self._violation("unexpected first message")
        return worker

    def _await_isolated(self, worker: WorkerProcess) -> None:
        """The worker's first frame says it isolated itself; no student code has run before it, so
        a worker lost (or silent) until then is the judge's failure: SandboxError."""
        problem = ""
        try:
            header, _ = parse_frame(worker.receive(max(self.limits.start_time, ISOLATION_TIME)))
            if header.get("kind") != "isolated":
                problem = "the worker's first message was not 'isolated'"
        except (ChannelTimeout, ChannelClosed, ProtocolError) as exc:
            problem = f"the worker did not isolate itself ({type(exc).__name__})"
        if problem:
            run = self._finish_worker()
            detail = run.output.strip()[-1000:] if run is not None else ""
            raise SandboxError(f"{problem}: {detail}" if detail else problem)

    def _import_failed(self, header: dict[str, Any]) -> NoReturn:
        error = _error_fields(header.get("error"))
        category = header.get("category")
        verdict = Verdict.SYNTAX_ERROR if category == "syntax_error" else Verdict.CRASHED
        rule = forbidden_import(error["type"], error["message"], self.spec.allowed)
        text = f"importing {self.spec.module_name}.py failed: {error['type']}: {error['message']}".rstrip(": ")
        if rule:
            text = f"importing {self.spec.module_name}.py failed: {rule} ({error['type']}: {error['message']})"
        if error["traceback"]:
            text += "\n" + error["traceback"].rstrip()
        self._fatal = text
        self.events.append(Event(verdict, text.splitlines()[0]))
        self._finish_worker()
        raise SubmissionUnavailable(text)

    def _finish_worker(self) -> WorkerExit | None:
        worker, self._worker = self._worker, None
        if worker is None:
            return None
        run = worker.stop()
        self.exits.append(run)
        return run

    def _violation(self, reason: str) -> NoReturn:
        self.events.append(Event(Verdict.PROTOCOL_VIOLATION, reason))
        self._finish_worker()
        raise SubmissionUnavailable(f"the submission broke the grading protocol ({reason})")

    def reject(self, reason: str) -> None:
        """Refuse the submission before any worker starts: every check fails with ``reason``."""
        self._fatal = reason
        self.events.append(Event(Verdict.SYNTAX_ERROR, reason))

    def close(self) -> None:
        """Stop the current worker, if any."""
        self._finish_worker()

    # -- requests -------------------------------------------------------------------
    def _round_trip(
        self, worker: WorkerProcess, frame: bytes | None, what: str, limit: float | None = None
    ) -> tuple[dict[str, Any], list[bytes]]:
        """Send ``frame`` (if any) and read and parse the reply, all before one deadline (kept in
        ``self._deadline`` for decoding the reply's value)."""
        if self._check_deadline is None:
            allowed = limit or self.limits.call_time
        else:  # the check's own budget replaces the per-call limit (not the start-up limit)
            allowed = min(limit or self._check_seconds, self._check_deadline - time.monotonic())
        timeout = max(0.0, min(allowed, self._remaining()))
        self._last_timeout = round(timeout, 1)
        started = time.monotonic()
        self._deadline = started + timeout
        try:
            if frame is not None:
                worker.send(frame, timeout)  # a worker that stops reading is out of time too
            data = worker.receive(max(0.0, self._deadline - time.monotonic()))
            return parse_frame(data, self._deadline)
        except ChannelTimeout:
            self._died(what, timed_out=True)
        except DecodeTimeout:
            self._died(what, timed_out=True, decoding=True)
        except ChannelClosed:
            self._died(what, timed_out=False)
        except ProtocolError as exc:
            self._violation(str(exc)[:300])
        finally:
            self._budget_used += time.monotonic() - started

    def _decode(self, tree: Any, buffers: list[bytes], what: str, make_handle: Callable[[HandleRef], Any]) -> Any:
        """Decode a reply's value before the call's deadline; its time counts against the budget."""
        started = time.monotonic()
        try:
            return Decoder(buffers, make_handle, self._deadline).decode(tree)
        except DecodeTimeout:
            self._died(what, timed_out=True, decoding=True)
        except ProtocolError as exc:
            self._violation(str(exc)[:300])
        finally:
            self._budget_used += time.monotonic() - started

    def _died(self, what: str, *, timed_out: bool, decoding: bool = False) -> NoReturn:
        """The worker is lost (or out of time: stopped). A decode past the deadline is the
        submission's time limit: the caps make decoding any legal reply cheap, so only a reply sent
        near the deadline gets there, and the reason says the time ran out reading that reply."""
        run = self._finish_worker()
        if run is not None and run.verdict is not None:
            event = Event(run.verdict, run.reason)
        elif timed_out:
            late = "; the time ran out while its reply was being decoded" if decoding else ""
            event = Event(
                Verdict.TIME_LIMIT, f"{what} took longer than the time limit ({self._last_timeout:g} s){late}"
            )
        elif run is not None and run.signal is not None:
            event = Event(Verdict.CRASHED, f"the worker was killed by signal {run.signal} while {what}")
        else:
            code = run.exit_code if run is not None else None
            event = Event(Verdict.CRASHED, f"the submission exited (status {code}) while {what}")
        self.events.append(event)
        raise SubmissionUnavailable(event.reason)

    def request(self, op: str, target: RemoteObject | None, label: str, **values: Any) -> Any:
        """Send one operation to the worker and return its decoded answer."""
        return self._recording_faults(lambda: self._request(op, target, label, values))

    def _request(self, op: str, target: RemoteObject | None, label: str, values: dict[str, Any]) -> Any:
        worker = self._ensure_worker()
        if target is not None and not target._live and target._generation != self.generation:
            raise SubmissionUnavailable(
                "this object came from an earlier run of the submission that was stopped (time limit or crash)"
            )
        header = {"op": op, "target": target._ref.id if target is not None else 0}
        if "name" in values:
            header["name"] = values.pop("name")
        frame = pack(header, values, Encoder())
        what = f"running {label}"
        reply, buffers = self._round_trip(worker, frame, what)
        kind = reply.get("kind")
        if kind == "raised":
            error = _error_fields(reply.get("error"))
            rule = forbidden_import(error["type"], error["message"], self.spec.allowed)
            message = f"{error['message']} ({rule})" if rule else error["message"]
            raise SubmissionRaised(label, error["type"], message, error["traceback"])
        if kind != "result" or "value" not in reply:
            self._violation("unexpected reply")
        seconds = reply.get("seconds")
        if type(seconds) is float and 0 <= seconds < 1e6:
            self.student_seconds += seconds
        generation = self.generation

        def make_handle(ref: HandleRef) -> RemoteObject:
            return RemoteObject(self, ref, generation, ref.type_name if op == "call" else label)

        value = self._decode(reply["value"], buffers, what, make_handle)
        if "changed" in reply:
            if op != "call":
                self._violation("unexpected reply")
            changed = self._decode(reply["changed"], buffers, what, make_handle)
            if not self.changed_in_place.record(changed, values.get("args", []), values.get("kwargs", {})):
                self._violation("malformed list of arguments changed in place")
        return value

    def module(self) -> RemoteObject:
        """A handle on the submission's module in the current worker (starting one if needed)."""
        self._recording_faults(self._ensure_worker)
        return RemoteObject(self, HandleRef(0, "module", False), self.generation, "", live=True)


def _error_fields(error: Any) -> dict[str, str]:
    fields = {"type": "Exception", "message": "", "traceback": ""}
    if type(error) is dict:
        for key, cap in (("type", 200), ("message", 4000), ("traceback", 8000)):
            value = error.get(key)
            if type(value) is str:
                fields[key] = value[:cap]
    return fields


class RemoteObject:
    """An object that lives in the sandbox. Attribute access and calls are forwarded; it never
    turns into an array, a number or a truth value on the trusted side."""

    __slots__ = ("_generation", "_label", "_live", "_ref", "_session")

    def __init__(
        self, session: WorkerSession, ref: HandleRef, generation: int, label: str, live: bool = False
    ) -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_generation", generation)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_live", live)  # the module handle (id 0) is valid in every worker

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        label = f"{self._label}.{name}" if self._label else name
        return self._session.request("getattr", self, label, name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("objects of the submission cannot be modified from the checks")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.request("call", self, self._label, args=list(args), kwargs=dict(kwargs))

    def __getitem__(self, key: Any) -> Any:
        return self._session.request("getitem", self, self._label, key=key)

    def __len__(self) -> int:
        value = self._session.request("len", self, self._label)
        if type(value) is not int or value < 0:
            raise SubmissionFault(f"len() of a {self._ref.type_name} object did not return an int")
        return value

    def __repr__(self) -> str:
        return f"<{self._ref.type_name} object in the submission>"

    def _refuse(self, what: str) -> TypeError:
        return TypeError(f"{self._label} gave a {self._ref.type_name} object where {what} was expected")

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._refuse("an array")

    def __bool__(self) -> bool:
        raise self._refuse("a truth value")

    def __iter__(self) -> Any:
        raise self._refuse("a list or an array")

    def __float__(self) -> float:
        raise self._refuse("a number")

    def __int__(self) -> int:
        raise self._refuse("an integer")

    def __index__(self) -> int:
        raise self._refuse("an integer")
